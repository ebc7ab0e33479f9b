/// Builds a `DeviceConfiguration` from the tokenizer's stream. Elements are recognised
/// by local name (a prefix such as `axl:` is ignored, and never needs declaring: CUCM
/// writes `xsi:type` with no namespace declaration) and by their path from `<device>`.
///
/// Policy (formats.md §2, "Real clusters are untidy"; docs/configuration-reader.md states the same): liberal
/// where no security decision rests on a value, strict where one does.
/// - Strict, every failure a typed error with the element's offset: `fullConfig`,
///   `encrConfig` (`true`/`false` in any case; empty is an error), `capfAuthMode` (a
///   number; empty is an error), `certHash` (empty means the cluster holds no
///   certificate, else 32 hex digits). Each of these four may appear once.
/// - Liberal: an element the model does not read is skipped, whatever it holds, with its
///   attributes and children. An empty value of an element the model reads but decides
///   nothing on is absent: a `capf`, call-manager `member` or TVS `member` without an
///   address names no server (CUCM writes `<processNodeName></processNodeName>` for
///   phones that have nothing to do with CAPF), an empty port takes the default, an
///   empty `loadInformation`, `versionStamp`, `ipAddressMode`, `deviceSecurityMode`,
///   `transportLayerProtocol` or `priority` is unset. When one of these appears twice the
///   first value counts. A value that is present but not what the element holds (a port of
///   70000, a mode that is not a number, a 300-byte host name) is still an error.
/// - The bounds stay: depth, element count, text and name lengths, no DOCTYPE
///   (`XMLLimits.configuration`), at most `maxServers` entries of each list.
extension DeviceConfiguration {
    public static func parse(_ bytes: [UInt8], limits: XMLLimits = .configuration) throws(ConfigError) -> DeviceConfiguration {
        var parser = ConfigurationParser(bytes, limits: limits)
        return try parser.run()
    }
}

/// The elements the model reads; everything else is `.other`.
enum ConfigElement: Equatable {
    case device, fullConfig, encrConfig, certHash, capfAuthMode, capfList, capf, processNodeName, phonePort
    case loadInformation, ipAddressMode, devicePool, callManagerGroup, members, member, callManager, ports
    case tvs, address, port, deviceSecurityMode, transportLayerProtocol, versionStamp
    case other

    static let names: [(StaticString, ConfigElement)] = [
        ("device", .device), ("fullConfig", .fullConfig), ("encrConfig", .encrConfig), ("certHash", .certHash),
        ("capfAuthMode", .capfAuthMode), ("capfList", .capfList), ("capf", .capf),
        ("processNodeName", .processNodeName), ("phonePort", .phonePort), ("loadInformation", .loadInformation),
        ("ipAddressMode", .ipAddressMode), ("devicePool", .devicePool), ("callManagerGroup", .callManagerGroup),
        ("members", .members), ("member", .member), ("callManager", .callManager), ("ports", .ports),
        ("TVS", .tvs), ("address", .address), ("port", .port), ("deviceSecurityMode", .deviceSecurityMode),
        ("transportLayerProtocol", .transportLayerProtocol), ("versionStamp", .versionStamp),
    ]

    static func named(_ localName: ArraySlice<UInt8>) -> ConfigElement {
        for (name, element) in names where localName.elementsEqual(UnsafeBufferPointer(start: name.utf8Start,
                                                                                      count: name.utf8CodeUnitCount)) {
            return element
        }
        return .other
    }
}

struct ConfigurationParser {
    private var tokenizer: XMLTokenizer
    private var path: [ConfigElement] = []
    private var config = DeviceConfiguration()
    /// Text of the element being collected, when it is one the model reads.
    private var text: [UInt8] = []
    private var collecting = false
    /// Where the element whose text is collected starts (its name), for errors.
    private var elementOffset = 0
    private var seenScalars: [ConfigElement] = []

    // Entries under construction.
    private var capfHost: String?
    private var capfPort: UInt16?
    private var memberPriority = 0
    private var callManagerHost: String?
    private var callManagerPorts: [(name: String, port: UInt16)] = []
    private var portName: String?
    private var tvsHost: String?
    private var tvsPort: UInt16?

    init(_ bytes: [UInt8], limits: XMLLimits) {
        tokenizer = XMLTokenizer(bytes, limits: limits)
    }

    private var bytes: [UInt8] { tokenizer.bytes }

    mutating func run() throws(ConfigError) -> DeviceConfiguration {
        while true {
            let token: XMLTokenizer.Token?
            do { token = try tokenizer.next() } catch { throw .xml(error) }
            guard let token else { break }
            switch token {
            case .start(let name):
                try start(name)
            case .end(let name):
                try end(name)
            case .text(let range, let hasReferences):
                if collecting {
                    do { try XMLText.append(bytes, range, hasReferences: hasReferences, to: &text) } catch { throw .xml(error) }
                }
            case .cdata(let range):
                if collecting { text.append(contentsOf: bytes[range]) }
            }
        }
        Self.sortByPriority(&config.callManagers) { $0.priority }
        Self.sortByPriority(&config.tvsServers) { $0.priority }
        return config
    }

    /// Stable (equal priorities keep the document's order), by insertion: the lists are at
    /// most `maxServers` long, and the standard library's merge sort cost the firmware 2.4 KB.
    static func sortByPriority<Item>(_ items: inout [Item], _ priority: (Item) -> Int) {
        guard items.count > 1 else { return }
        for index in 1..<items.count {
            let item = items[index]
            var slot = index
            while slot > 0, priority(items[slot - 1]) > priority(item) {
                items[slot] = items[slot - 1]
                slot -= 1
            }
            items[slot] = item
        }
    }

    private static func localName(_ bytes: [UInt8], _ name: Range<Int>) -> ArraySlice<UInt8> {
        var start = name.lowerBound
        for index in name where bytes[index] == UInt8(ascii: ":") { start = index + 1 }
        return bytes[start..<name.upperBound]
    }

    private mutating func start(_ name: Range<Int>) throws(ConfigError) {
        let localName = Self.localName(bytes, name)
        let element = ConfigElement.named(localName)
        if path.isEmpty && element != .device { throw .notADeviceConfiguration }
        path.append(element)
        elementOffset = name.lowerBound
        text.removeAll(keepingCapacity: true)
        collecting = isCollected(path)
        if path.count == 3, element == .capf, path[1] == .capfList {
            capfHost = nil
            capfPort = nil
        }
        if element == .member, path.count == 5, path[1] == .devicePool {
            memberPriority = try priorityAttribute()
            callManagerHost = nil
            callManagerPorts.removeAll()
        }
        if element == .member, path.count == 4, path[1] == .tvs {
            memberPriority = try priorityAttribute()
            tvsHost = nil
            tvsPort = nil
        }
        if path.count == 8, path[6] == .ports { portName = String(decoding: localName, as: UTF8.self) }
    }

    /// A `member`'s `priority` attribute: lower is tried first; absent or empty is 0.
    private func priorityAttribute() throws(ConfigError) -> Int {
        var priority = 0
        for attribute in tokenizer.attributes where bytes[attribute.name].elementsEqual("priority".utf8) {
            let value: [UInt8]
            do { value = try XMLText.decode(bytes, attribute.value, hasReferences: attribute.hasReferences) } catch {
                throw .xml(error)
            }
            if Self.trimmed(value).isEmpty { continue }
            guard let number = Self.integer(value) else { throw .invalidValue(element: "member", offset: attribute.value.lowerBound) }
            priority = number
        }
        return priority
    }

    /// Leaves whose text the model reads: nothing else is copied.
    private func isCollected(_ path: [ConfigElement]) -> Bool {
        switch path.count {
        case 2:
            return path[1] != .other && [ConfigElement.fullConfig, .encrConfig, .certHash, .capfAuthMode, .loadInformation,
                                         .ipAddressMode, .deviceSecurityMode, .transportLayerProtocol,
                                         .versionStamp].contains(path[1])
        case 4:
            return path[1] == .capfList && path[2] == .capf && (path[3] == .processNodeName || path[3] == .phonePort)
        case 5:
            return path[1] == .tvs && path[2] == .members && path[3] == .member && (path[4] == .address || path[4] == .port)
        case 7:
            return path[1] == .devicePool && path[2] == .callManagerGroup && path[3] == .members && path[4] == .member
                && path[5] == .callManager && path[6] == .processNodeName
        case 8:
            return path[1] == .devicePool && path[2] == .callManagerGroup && path[5] == .callManager && path[6] == .ports
        default:
            return false
        }
    }

    private mutating func end(_ name: Range<Int>) throws(ConfigError) {
        let element = path.removeLast()
        let offset = collecting ? elementOffset : name.lowerBound
        defer {
            collecting = false
            text.removeAll(keepingCapacity: true)
        }
        let depth = path.count + 1
        if depth == 2 {
            try scalar(element, offset)
            return
        }
        if depth == 4, path[1] == .capfList, path[2] == .capf, collecting {
            if element == .processNodeName, capfHost == nil { capfHost = try host(element, offset) }
            if element == .phonePort, capfPort == nil { capfPort = try port(element, offset) }
        } else if depth == 3, element == .capf, path[1] == .capfList {
            guard let capfHost else { return }
            guard config.capfServers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "capf", limit: DeviceConfiguration.maxServers)
            }
            config.capfServers.append(.init(host: capfHost, port: capfPort ?? DeviceConfiguration.defaultCAPFPort))
        } else if depth == 7, collecting {
            if callManagerHost == nil { callManagerHost = try host(element, offset) }
        } else if depth == 8, collecting, let portName {
            if let number = try port(.port, offset) { callManagerPorts.append((portName, number)) }
        } else if depth == 5, element == .member, path[1] == .devicePool {
            guard let callManagerHost else { return }
            guard config.callManagers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "member", limit: DeviceConfiguration.maxServers)
            }
            config.callManagers.append(.init(priority: memberPriority, host: callManagerHost, ports: callManagerPorts))
        } else if depth == 5, path[1] == .tvs, collecting {
            if element == .address, tvsHost == nil { tvsHost = try host(element, offset) }
            if element == .port, tvsPort == nil { tvsPort = try port(element, offset) }
        } else if depth == 4, element == .member, path[1] == .tvs {
            guard let tvsHost else { return }
            guard config.tvsServers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "TVS member", limit: DeviceConfiguration.maxServers)
            }
            config.tvsServers.append(.init(host: tvsHost, port: tvsPort ?? DeviceConfiguration.defaultTVSPort,
                                           priority: memberPriority))
        }
    }

    /// The four elements a security decision rests on: strict, and once only.
    private static let decisive: [ConfigElement] = [.fullConfig, .encrConfig, .certHash, .capfAuthMode]

    private mutating func scalar(_ element: ConfigElement, _ offset: Int) throws(ConfigError) {
        guard element != .other else { return }
        let name = Self.name(of: element)
        let value = Self.trimmed(text)
        if seenScalars.contains(element) {
            // A hostile partial config could say certHash twice; neither is trusted then.
            guard !Self.decisive.contains(element) else { throw .duplicateElement(element: name, offset: offset) }
            return
        }
        seenScalars.append(element)
        switch element {
        case .fullConfig: config.fullConfig = try boolean(value, name, offset)
        case .encrConfig: config.encrConfig = try boolean(value, name, offset)
        case .certHash:
            guard value.isEmpty || (value.count == 32 && value.allSatisfy({ hexNibble($0) != nil })) else {
                throw .invalidValue(element: name, offset: offset)
            }
            config.certHash = String(decoding: value.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") ? $0 | 0x20 : $0 },
                                     as: UTF8.self)
        case .capfAuthMode: config.capfAuthMode = CAPFAuthMode(try integer(value, name, offset))
        case .ipAddressMode: config.ipAddressMode = try optionalInteger(value, name, offset)
        case .deviceSecurityMode: config.deviceSecurityMode = try optionalInteger(value, name, offset)
        case .transportLayerProtocol: config.transportLayerProtocol = try optionalInteger(value, name, offset)
        case .loadInformation: config.loadInformation = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        case .versionStamp: config.versionStamp = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        default: break
        }
    }

    // MARK: - Values

    private func boolean(_ value: ArraySlice<UInt8>, _ name: String, _ offset: Int) throws(ConfigError) -> Bool {
        let folded = value.map { $0 | 0x20 }
        if folded.elementsEqual("true".utf8) { return true }
        if folded.elementsEqual("false".utf8) { return false }
        throw .invalidValue(element: name, offset: offset)
    }

    private func integer(_ value: ArraySlice<UInt8>, _ name: String, _ offset: Int) throws(ConfigError) -> Int {
        guard let number = Self.integer(value) else { throw .invalidValue(element: name, offset: offset) }
        return number
    }

    /// An empty value is unset; anything else must be a number.
    private func optionalInteger(_ value: ArraySlice<UInt8>, _ name: String, _ offset: Int) throws(ConfigError) -> Int? {
        value.isEmpty ? nil : try integer(value, name, offset)
    }

    /// The collected text as a port: nil when empty (the default applies).
    private func port(_ element: ConfigElement, _ offset: Int) throws(ConfigError) -> UInt16? {
        let value = Self.trimmed(text)
        if value.isEmpty { return nil }
        guard let number = Self.integer(value), number > 0, number <= 65535 else {
            throw .invalidValue(element: Self.name(of: element), offset: offset)
        }
        return UInt16(number)
    }

    /// The collected text as a host name or address: nil when empty (no server named).
    private func host(_ element: ConfigElement, _ offset: Int) throws(ConfigError) -> String? {
        let value = Self.trimmed(text)
        if value.isEmpty { return nil }
        guard value.count <= 255 else { throw .invalidValue(element: Self.name(of: element), offset: offset) }
        return String(decoding: value, as: UTF8.self)
    }

    static func integer(_ value: some Collection<UInt8>) -> Int? {
        DecimalNumber.parse(trimmed(Array(value)), maxDigits: 9)
    }

    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func name(of element: ConfigElement) -> String {
        for (name, candidate) in ConfigElement.names where candidate == element { return name.description }
        return "element"
    }
}
