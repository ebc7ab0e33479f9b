/// The parts of `SEP<MAC>.cnf.xml` the boot flow and the next stage use (formats.md §2).
/// Everything else in the document, secrets included, is skipped and never copied.
public struct DeviceConfiguration: Equatable, Sendable {
    public struct CAPFServer: Equatable, Sendable {
        public var host: String
        public var port: UInt16

        public init(host: String, port: UInt16 = DeviceConfiguration.defaultCAPFPort) {
            self.host = host
            self.port = port
        }
    }

    public struct CallManager: Equatable, Sendable {
        public var priority: Int
        public var host: String
        /// The children of `ports` with a number: `ethernetPhonePort`, `sipPort`, `securedSipPort`, …
        public var ports: [(name: String, port: UInt16)]

        public init(priority: Int, host: String, ports: [(name: String, port: UInt16)]) {
            self.priority = priority
            self.host = host
            self.ports = ports
        }

        public static func == (left: CallManager, right: CallManager) -> Bool {
            left.priority == right.priority && left.host == right.host && left.ports.count == right.ports.count
                && zip(left.ports, right.ports).allSatisfy { $0.name == $1.name && $0.port == $1.port }
        }

        public func port(_ name: String) -> UInt16? {
            ports.first { $0.name.utf8.elementsEqual(name.utf8) }?.port
        }
    }

    public struct TVSServer: Equatable, Sendable {
        public var host: String
        public var port: UInt16
        /// The member's `priority`: lower is asked first.
        public var priority: Int

        public init(host: String, port: UInt16 = DeviceConfiguration.defaultTVSPort, priority: Int = 0) {
            self.host = host
            self.port = port
            self.priority = priority
        }

        /// Byte-wise (`sameText`): the firmware has no Unicode tables for `String ==`.
        public static func == (left: TVSServer, right: TVSServer) -> Bool {
            sameText(left.host, right.host) && left.port == right.port && left.priority == right.priority
        }
    }

    public static let defaultCAPFPort: UInt16 = 3804
    public static let defaultTVSPort: UInt16 = 2445

    /// nil when the element is absent (a full configuration is then assumed).
    public var fullConfig: Bool?
    public var encrConfig: Bool = false
    /// Lowercase hex MD5 as written (case folded); empty when the cluster holds none;
    /// nil when the element is absent.
    public var certHash: String?
    public var capfAuthMode: CAPFAuthMode?
    /// In document order.
    public var capfServers: [CAPFServer] = []
    public var loadInformation: String?
    public var ipAddressMode: Int?
    /// Sorted by priority (lowest first).
    public var callManagers: [CallManager] = []
    public var tvsServers: [TVSServer] = []
    public var deviceSecurityMode: Int?
    public var transportLayerProtocol: Int?
    public var versionStamp: String?

    public init() {}

    /// A partial configuration: `fullConfig` false, as a cluster with "TFTP Encrypted
    /// Config" serves in the clear.
    public var isPartial: Bool { fullConfig == false }

    /// Bounds on repeated entries.
    public static let maxServers = 16
}

/// Why a configuration document was refused.
public enum ConfigError: WireFault, Equatable, Sendable {
    case xml(XMLError)
    /// The root element is not `<device>`.
    case notADeviceConfiguration
    case invalidValue(element: String, offset: Int)
    /// A security-relevant element given twice (which one would count?).
    case duplicateElement(element: String, offset: Int)
    case tooManyEntries(element: String, limit: Int)

    public var code: String {
        switch self {
        case .xml(let error): return error.code
        case .notADeviceConfiguration: return "notADeviceConfiguration"
        case .invalidValue: return "invalidValue"
        case .duplicateElement: return "duplicateElement"
        case .tooManyEntries: return "tooManyEntries"
        }
    }

    public var offset: Int? {
        switch self {
        case .xml(let error): return error.offset
        case .invalidValue(_, let offset), .duplicateElement(_, let offset): return offset
        case .notADeviceConfiguration, .tooManyEntries: return nil
        }
    }

    public var problem: String {
        switch self {
        case .xml(let error): return error.problem
        case .notADeviceConfiguration: return "not a device configuration (root is not <device>)"
        case .invalidValue(let element, _): return "invalid <" + element + "> value"
        case .duplicateElement(let element, _): return "<" + element + "> repeated"
        case .tooManyEntries(let element, let limit): return "more than " + String(limit) + " <" + element + "> entries"
        }
    }
}
