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

/// The words for a fault of one element, the same in every format: "tag 7 repeated"
/// ("CAPF element 7 repeated" where the format names its elements so). Out of line: one
/// copy in the firmware for every format's faults.
@inline(never)
public func elementFault(_ tag: Int, _ what: String, element: String = "tag") -> String {
    element + " " + String(tag) + " " + what
}
