/// The one shape of every wire-format error (`WireError`, `TVSWireError`, `CAPFWireError`,
/// `XMLError`, `ConfigError`): a stable code, the byte offset of the fault when it has one
/// (from the start of the file or message), and what is wrong; the reason a person reads
/// is made from them here, the same way for every format.
public protocol WireFault: Error {
    /// A stable name of the kind of fault, for logs and tests (`truncated`, `unknownTag`, …).
    var code: String { get }
    /// Where the fault is; nil when it is the whole input's (a missing element, a limit).
    var offset: Int? { get }
    /// What is wrong, without the place: "unknown tag 7".
    var problem: String { get }
}

extension WireFault {
    /// "unknown tag 7 at offset 12".
    public var reason: String {
        guard let offset else { return problem }
        return problem + " at offset " + String(offset)
    }
}
