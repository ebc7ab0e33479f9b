import PhoneCrypto
import PhoneWire

/// The configuration over HTTPS (formats.md §5): `GET /SEP<MAC>.cnf.xml.sgn` over TLS to
/// the configuration server's port 6971, the phone's LSC (else MIC) as client
/// certificate; the answer is the unsigned XML, authenticated by the TLS server
/// certificate alone.
public struct HTTPSConfigRequest {
    /// The file server (an index into the platform's list) whose HTTPS port is asked.
    public let server: Int
    public let port: UInt16
    public let name: String
    /// EC TFTP or CCM+TFTP records of the installed lists, or the one certificate TVS vouched for.
    public let pinned: [Certificate]
    public let clientIdentity: Identity

    public init(server: Int, port: UInt16, name: String, pinned: [Certificate], clientIdentity: Identity) {
        self.server = server
        self.port = port
        self.name = name
        self.pinned = pinned
        self.clientIdentity = clientIdentity
    }
}

/// What the HTTPS download came to.
public enum HTTPSConfigResult {
    /// The body, and the certificate (DER) the server presented.
    case configuration([UInt8], server: [UInt8])
    case failed(HTTPSConfigProblem)
}

/// Why the HTTPS download failed. Data only; the boot machine decides what follows.
public enum HTTPSConfigProblem: Error, Equatable {
    /// Connect, TLS (the pin refused the server, the server refused the client
    /// certificate) or a stream failure.
    case channel(TLSChannelProblem)
    case malformed(HTTPResponseParser.ParseError)
    /// Any status but 200 (404 not found, 403 another device's file).
    case status(Int)
    /// The whole download took longer than the runner's deadline.
    case deadlineExceeded(ms: UInt64)
}

