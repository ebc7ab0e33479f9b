import CSQLite
import Foundation

/// The lab's device table: a real SQLite database file, shaped like the columns the
/// troubleshooting note queries (`select md5hash,name from device where name='SEP…'`).
public final class DeviceTable {
    public enum Profile: String, CaseIterable {
        case encrypted, authenticated
        case nonSecure = "non-secure"
    }

    public struct Device {
        public var name: String
        public var profile: Profile
        /// auto, null, or string:DIGITS
        public var capfAuth: String
        /// install, fetch, delete, none
        public var operation: String
        /// rsa:2048, ec:P-256, …
        public var key: String
        public var certificate: [UInt8]?
        public var md5hash: String
        public var publicKey: [UInt8]?
        /// The firmware load the configuration names (`<loadInformation>`); empty: none.
        public var load: String

        public init(name: String, profile: Profile, capfAuth: String, operation: String, key: String,
                    certificate: [UInt8]?, md5hash: String, publicKey: [UInt8]?, load: String = "") {
            self.name = name
            self.profile = profile
            self.capfAuth = capfAuth
            self.operation = operation
            self.key = key
            self.certificate = certificate
            self.md5hash = md5hash
            self.publicKey = publicKey
            self.load = load
        }

        /// capfAuthMode as the configuration file carries it (formats.md §2).
        public var capfAuthMode: Int {
            if capfAuth.hasPrefix("string:") { return 1 }
            return capfAuth == "null" ? 2 : 0
        }

        public var authString: String? {
            capfAuth.hasPrefix("string:") ? String(capfAuth.dropFirst("string:".count)) : nil
        }
    }

    public struct TableError: Error, CustomStringConvertible {
        public let description: String
    }

    private var database: OpaquePointer?
    private let lock = NSLock()

    public init(path: String, readOnly: Bool = false) throws {
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        guard sqlite3_open_v2(path, &database, flags | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK else {
            throw TableError(description: "cannot open " + path)
        }
        sqlite3_busy_timeout(database, 2000)
        if !readOnly {
            try execute("""
                create table if not exists device (
                    name text primary key, profile text not null, capfauthmode integer not null,
                    authstring text, capfoperation text not null, keyspec text not null,
                    certificate blob, md5hash text not null default '', publickey blob, load text not null default '');
                create table if not exists tvscertificate (
                    sha256 text primary key, subject text not null, certificate blob not null,
                    roles text not null, ttl integer not null)
                """)
            // A table made before loads: the column added, empty (its devices named none).
            if try !columns(of: "device").contains("load") {
                try execute("alter table device add column load text not null default ''")
            }
        }
    }

    private func columns(of table: String) throws -> [String] {
        let statement = try prepare("pragma table_info(" + table + ")")
        defer { sqlite3_finalize(statement) }
        var names: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW { names.append(text(statement, 1) ?? "") }
        return names
    }

    deinit { sqlite3_close_v2(database) }

    private func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(database, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw TableError(description: text)
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw TableError(description: String(cString: sqlite3_errmsg(database)))
        }
        return statement
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func upsert(_ device: Device) throws {
        lock.lock()
        defer { lock.unlock() }
        let statement = try prepare("""
            insert or replace into device (name, profile, capfauthmode, authstring, capfoperation, keyspec,
                                           certificate, md5hash, publickey, load) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, device.name, -1, Self.transient)
        sqlite3_bind_text(statement, 2, device.profile.rawValue, -1, Self.transient)
        sqlite3_bind_int(statement, 3, Int32(device.capfAuthMode))
        if let authString = device.authString {
            sqlite3_bind_text(statement, 4, authString, -1, Self.transient)
        } else {
            sqlite3_bind_null(statement, 4)
        }
        sqlite3_bind_text(statement, 5, device.operation, -1, Self.transient)
        sqlite3_bind_text(statement, 6, device.key, -1, Self.transient)
        bind(statement, 7, device.certificate)
        sqlite3_bind_text(statement, 8, device.md5hash, -1, Self.transient)
        bind(statement, 9, device.publicKey)
        sqlite3_bind_text(statement, 10, device.load, -1, Self.transient)
        guard sqlite3_step(statement) == SQLITE_DONE else { throw TableError(description: String(cString: sqlite3_errmsg(database))) }
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ bytes: [UInt8]?) {
        guard let bytes else {
            sqlite3_bind_null(statement, index)
            return
        }
        _ = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    /// A certificate the lab's TVS vouches for beyond its own (`cucm-lab tvs add`).
    public struct TVSEntry {
        public let subject: String
        public let certificate: [UInt8]
        public let roles: [UInt16]
        public let ttl: UInt32
    }

    public func upsertTVS(_ entry: TVSEntry, sha256: String) throws {
        lock.lock()
        defer { lock.unlock() }
        let statement = try prepare("insert or replace into tvscertificate (sha256, subject, certificate, roles, ttl) values (?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, sha256, -1, Self.transient)
        sqlite3_bind_text(statement, 2, entry.subject, -1, Self.transient)
        bind(statement, 3, entry.certificate)
        sqlite3_bind_text(statement, 4, entry.roles.map(String.init).joined(separator: ","), -1, Self.transient)
        sqlite3_bind_int64(statement, 5, Int64(entry.ttl))
        guard sqlite3_step(statement) == SQLITE_DONE else { throw TableError(description: String(cString: sqlite3_errmsg(database))) }
    }

    /// Every TVS entry, or the one for this certificate digest.
    public func tvsEntries(sha256: String? = nil) throws -> [TVSEntry] {
        lock.lock()
        defer { lock.unlock() }
        let statement = try prepare("select subject, certificate, roles, ttl from tvscertificate"
                                    + (sha256 == nil ? " order by subject" : " where sha256 = ?"))
        defer { sqlite3_finalize(statement) }
        if let sha256 { sqlite3_bind_text(statement, 1, sha256, -1, Self.transient) }
        var found: [TVSEntry] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            let roles = (text(statement, 2) ?? "").split(separator: ",").compactMap { UInt16($0) }
            found.append(TVSEntry(subject: text(statement, 0) ?? "", certificate: blob(statement, 1) ?? [], roles: roles,
                                  ttl: UInt32(clamping: sqlite3_column_int64(statement, 3))))
        }
        return found
    }

    public func device(_ name: String) throws -> Device? {
        try devices(where: name).first
    }

    public func all() throws -> [Device] { try devices(where: nil) }

    private func devices(where name: String?) throws -> [Device] {
        lock.lock()
        defer { lock.unlock() }
        let statement = try prepare("select name, profile, capfauthmode, authstring, capfoperation, keyspec, certificate, md5hash,"
                                    + " publickey, load from device" + (name == nil ? " order by name" : " where name = ?"))
        defer { sqlite3_finalize(statement) }
        if let name { sqlite3_bind_text(statement, 1, name, -1, Self.transient) }
        var found: [Device] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            let mode = sqlite3_column_int(statement, 2)
            let authString = text(statement, 3)
            let capfAuth = mode == 1 ? "string:" + (authString ?? "") : mode == 2 ? "null" : "auto"
            found.append(Device(name: text(statement, 0) ?? "", profile: Profile(rawValue: text(statement, 1) ?? "") ?? .encrypted,
                                capfAuth: capfAuth, operation: text(statement, 4) ?? "none", key: text(statement, 5) ?? "rsa:2048",
                                certificate: blob(statement, 6), md5hash: text(statement, 7) ?? "", publicKey: blob(statement, 8),
                                load: text(statement, 9) ?? ""))
        }
        return found
    }

    private func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        guard let value = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: value)
    }

    private func blob(_ statement: OpaquePointer, _ column: Int32) -> [UInt8]? {
        guard let value = sqlite3_column_blob(statement, column) else { return nil }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: Int(sqlite3_column_bytes(statement, column))))
    }

    /// A read-only query, printed the way the CUCM CLI prints `run sql`: a header of
    /// column names, then one line per row, columns left-aligned.
    public static func query(path: String, _ sql: String) throws -> String {
        let table = try DeviceTable(path: path, readOnly: true)
        let statement = try table.prepare(sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_stmt_readonly(statement) != 0 else { throw TableError(description: "only read-only queries are allowed") }
        let columns = Int(sqlite3_column_count(statement))
        var rows: [[String]] = [(0..<columns).map { String(cString: sqlite3_column_name(statement, Int32($0))) }]
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw TableError(description: String(cString: sqlite3_errmsg(table.database))) }
            rows.append((0..<columns).map { column in
                if sqlite3_column_type(statement, Int32(column)) == SQLITE_BLOB {
                    return String(sqlite3_column_bytes(statement, Int32(column))) + " bytes"
                }
                return table.text(statement, Int32(column)) ?? "NULL"
            })
        }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == columns - 1 ? cell : cell.padding(toLength: widths[index] + 1, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}
