import Foundation
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneWire

/// The lab's TVS (formats.md §4): TLS with the TVS certificate its ITL lists, one
/// VerifyRequest per connection. It vouches for the lab's own certificates with the roles
/// the served ITL gives them (TTL 3600 s) and for what `cucm-lab tvs add` put in the
/// database; anything else is invalid. Like the reference server, it closes the
/// connection without an answer for a request it cannot parse or a malformed device name.
final class TVSService: TCPLabService, @unchecked Sendable {
    static let ownCertificateTTL: UInt32 = 3600

    let lab: Lab
    let connections: AcceptLoop

    init(lab: Lab, host: String, port: UInt16) throws {
        self.lab = lab
        connections = try AcceptLoop(host: host, port: port)
    }

    func handle(_ connection: TCPConnection) {
        do { try Session(lab: lab, connection: connection).run() } catch { lab.log("TVS: session ended with an error: \(error)") }
    }

    /// One phone's question.
    final class Session {
        let lab: Lab
        let channel: LabTLSConnection
        var tls: TLSEngine { channel.tls }

        init(lab: Lab, connection: TCPConnection) {
            self.lab = lab
            // tvs-not-in-itl: present a certificate the ITL does not list.
            channel = LabTLSConnection(lab: lab, connection: connection, identity: lab.attack == .tvsNotInITL ? lab.stranger : lab.tvs)
        }

        func run() throws {
            try channel.handshake(lab: lab, service: "TVS")
            if lab.attack == .tvsClosesAtOnce {
                lab.log("ATTACK tvs-closes-at-once: closing before the request")
                return channel.close()
            }
            guard let request = try readRequest() else { return channel.close() }
            let name = String(decoding: request.deviceName, as: UTF8.self)
            guard TVSDeviceName(name) != nil else {
                lab.log("TVS: device name " + name + " is not CP-<model>-SEP<MAC>: closing without an answer")
                return channel.close()
            }
            let subject = (try? Certificate(der: request.certificate[...]))?.subject ?? "(not a certificate)"
            let status = attacked(verdict(for: request.certificate))
            lab.log("TVS: " + name + " asks about " + subject + ": " + describe(status))
            switch lab.attack {
            case .tvsSilent:
                lab.log("ATTACK tvs-silent: no answer")
                Thread.sleep(forTimeInterval: 12)
                return channel.close()
            case .tvsOversized:
                lab.log("ATTACK tvs-oversized: a header announcing 65535 bytes")
                var answer = TVSVerifyResponse(sessionID: request.sessionID, status: status).encode()
                answer[8] = 0xFF  // the header's element length
                answer[9] = 0xFF
                try tls.write(answer + [UInt8](repeating: 0, count: 64))
            case .tvsGarbage:
                lab.log("ATTACK tvs-garbage: 64 random bytes")
                try tls.write(try lab.rng.bytes(64).map { $0 == 87 ? 86 : $0 })
            default:
                let id = lab.attack == .tvsSessionIDChanges ? request.sessionID &+ 1 : request.sessionID
                try tls.write(TVSVerifyResponse(sessionID: id, status: status).encode())
            }
            try channel.flush()
            channel.close()
        }

        /// The lab's own certificates by the served ITL's roles, then the database.
        func verdict(for der: [UInt8]) -> TVSVerifyResponse.Status {
            if let list = try? TrustList.parse(lab.itl) {
                var roles: [TrustRole] = []
                for record in list.records where list[record.certificate].elementsEqual(der) && !roles.contains(record.role) {
                    roles.append(record.role)
                }
                if !roles.isEmpty { return .valid(roles: roles, ttlSeconds: TVSService.ownCertificateTTL) }
            }
            if let digest = try? Digest.hash(.sha256, der), let entry = try? lab.devices.tvsEntries(sha256: hexString(digest)).first {
                return .valid(roles: entry.roles.map { TrustRole(rawValue: $0) }, ttlSeconds: entry.ttl)
            }
            return .invalid
        }

        func attacked(_ status: TVSVerifyResponse.Status) -> TVSVerifyResponse.Status {
            switch lab.attack {
            case .tvsWrongRoles: return .valid(roles: [.appServer], ttlSeconds: 3600)
            case .tvsTTLZero:
                guard case .valid(let roles, _) = status else { return status }
                return .valid(roles: roles, ttlSeconds: 0)
            case .tvsTTLMax:
                guard case .valid(let roles, _) = status else { return status }
                return .valid(roles: roles, ttlSeconds: UInt32.max)
            default: return status
            }
        }

        func describe(_ status: TVSVerifyResponse.Status) -> String {
            switch status {
            case .valid(let roles, let ttl): return "valid, roles " + roles.map(\.name).joined(separator: ", ") + ", TTL \(ttl) s"
            case .invalid: return "invalid"
            }
        }

        /// The request, or nil (logged) when it cannot be parsed: the header first, then as
        /// many bytes as it announces.
        private func readRequest() throws -> TVSVerifyRequest? {
            var buffer: [UInt8] = []
            while true {
                do throws(TVSWireError) {
                    if buffer.count >= TVSHeader.length {
                        let header = try TVSHeader.parse(buffer)
                        if buffer.count >= TVSHeader.length + header.payloadLength { return try TVSVerifyRequest.decode(buffer) }
                    }
                } catch {
                    lab.log("TVS: unparsable request (" + error.reason + "): closing without an answer")
                    return nil
                }
                if let more = try tls.read() {
                    buffer += more
                    continue
                }
                try channel.receive(timeoutMs: 10_000)
            }
        }

    }
}
