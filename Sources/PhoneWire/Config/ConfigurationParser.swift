/// Builds a `DeviceConfiguration` from the tokenizer's stream. Elements are recognised
/// by local name (a prefix such as `axl:` is ignored, and never needs declaring: CUCM
/// writes `xsi:type` with no namespace declaration) and by their path from `<device>`.
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
        config.callManagers.sort { $0.priority < $1.priority }
        return config
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
            memberPriority = 0
            callManagerHost = nil
            callManagerPorts.removeAll()
            for attribute in tokenizer.attributes where bytes[attribute.name].elementsEqual("priority".utf8) {
                let value: [UInt8]
                do { value = try XMLText.decode(bytes, attribute.value, hasReferences: attribute.hasReferences) } catch {
                    throw .xml(error)
                }
                guard let priority = Self.integer(value) else { throw .invalidValue(element: "member", offset: attribute.value.lowerBound) }
                memberPriority = priority
            }
        }
        if element == .member, path.count == 4, path[1] == .tvs {
            tvsHost = nil
            tvsPort = nil
        }
        if path.count == 8, path[6] == .ports { portName = String(decoding: localName, as: UTF8.self) }
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
            if element == .processNodeName { capfHost = try host(element, offset) }
            if element == .phonePort { capfPort = try port(element, offset) }
        } else if depth == 3, element == .capf, path[1] == .capfList {
            guard let capfHost else { return }
            guard config.capfServers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "capf", limit: DeviceConfiguration.maxServers)
            }
            config.capfServers.append(.init(host: capfHost, port: capfPort ?? DeviceConfiguration.defaultCAPFPort))
        } else if depth == 7, collecting {
            callManagerHost = try host(element, offset)
        } else if depth == 8, collecting, let portName {
            if !text.allSatisfy(Self.isSpace) {
                callManagerPorts.append((portName, try port(.port, offset)))
            }
        } else if depth == 5, element == .member, path[1] == .devicePool {
            guard let callManagerHost else { return }
            guard config.callManagers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "member", limit: DeviceConfiguration.maxServers)
            }
            config.callManagers.append(.init(priority: memberPriority, host: callManagerHost, ports: callManagerPorts))
        } else if depth == 5, path[1] == .tvs, collecting {
            if element == .address { tvsHost = try host(element, offset) }
            if element == .port { tvsPort = try port(element, offset) }
        } else if depth == 4, element == .member, path[1] == .tvs {
            guard let tvsHost else { return }
            guard config.tvsServers.count < DeviceConfiguration.maxServers else {
                throw .tooManyEntries(element: "TVS member", limit: DeviceConfiguration.maxServers)
            }
            config.tvsServers.append(.init(host: tvsHost, port: tvsPort ?? DeviceConfiguration.defaultTVSPort))
        }
    }

    private mutating func scalar(_ element: ConfigElement, _ offset: Int) throws(ConfigError) {
        guard element != .other else { return }
        let name = Self.name(of: element)
        // A hostile partial config could say certHash twice; neither is trusted then.
        guard !seenScalars.contains(element) else { throw .duplicateElement(element: name, offset: offset) }
        seenScalars.append(element)
        let value = Self.trimmed(text)
        switch element {
        case .fullConfig: config.fullConfig = try boolean(value, name, offset)
        case .encrConfig: config.encrConfig = try boolean(value, name, offset)
        case .certHash:
            guard value.isEmpty || (value.count == 32 && value.allSatisfy(Self.isHexDigit)) else {
                throw .invalidValue(element: name, offset: offset)
            }
            config.certHash = String(decoding: value.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") ? $0 | 0x20 : $0 },
                                     as: UTF8.self)
        case .capfAuthMode: config.capfAuthMode = try integer(value, name, offset)
        case .ipAddressMode: config.ipAddressMode = try integer(value, name, offset)
        case .deviceSecurityMode: config.deviceSecurityMode = try integer(value, name, offset)
        case .transportLayerProtocol: config.transportLayerProtocol = try integer(value, name, offset)
        case .loadInformation: config.loadInformation = String(decoding: value, as: UTF8.self)
        case .versionStamp: config.versionStamp = String(decoding: value, as: UTF8.self)
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

    private func port(_ element: ConfigElement, _ offset: Int) throws(ConfigError) -> UInt16 {
        guard let number = Self.integer(Self.trimmed(text)), number > 0, number <= 65535 else {
            throw .invalidValue(element: Self.name(of: element), offset: offset)
        }
        return UInt16(number)
    }

    private func host(_ element: ConfigElement, _ offset: Int) throws(ConfigError) -> String {
        let value = Self.trimmed(text)
        guard !value.isEmpty, value.count <= 255 else { throw .invalidValue(element: Self.name(of: element), offset: offset) }
        return String(decoding: value, as: UTF8.self)
    }

    static func integer(_ value: some Collection<UInt8>) -> Int? {
        let digits = trimmed(Array(value))
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var number = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return number
    }

    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
    }

    static func name(of element: ConfigElement) -> String {
        for (name, candidate) in ConfigElement.names where candidate == element { return name.description }
        return "element"
    }
}
