/// `capfAuthMode` of a configuration (formats.md §2): how the phone authenticates to
/// CAPF. The 0–4 mapping is an observed one, not a published one; any other number is
/// kept as `unsupported` so the boot can name it.
public enum CAPFAuthMode: Equatable, Sendable {
    /// 0: no string; compare hashes and enrol on its own.
    case automatic
    /// 1: the authentication string entered on the phone; never starts on its own.
    case authenticationString
    /// 2: the null string.
    case nullString
    /// 3 and 4: the installed certificate and its signed data, LSC or MIC first.
    case existingCertificate(lscFirst: Bool)
    case unsupported(Int)

    public init(_ value: Int) {
        switch value {
        case 0: self = .automatic
        case 1: self = .authenticationString
        case 2: self = .nullString
        case 3: self = .existingCertificate(lscFirst: true)
        case 4: self = .existingCertificate(lscFirst: false)
        default: self = .unsupported(value)
        }
    }

    /// The number as the configuration writes it.
    public var value: Int {
        switch self {
        case .automatic: return 0
        case .authenticationString: return 1
        case .nullString: return 2
        case .existingCertificate(let lscFirst): return lscFirst ? 3 : 4
        case .unsupported(let value): return value
        }
    }
}
