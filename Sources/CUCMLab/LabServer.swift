import Foundation
import LinuxPlatform
import PhoneWire

/// The services of the lab cluster: TFTP, HTTP, CAPF, TVS, and HTTPS when the lab has an
/// EC TFTP identity.
public final class LabServer: @unchecked Sendable {
    let tftp: TFTPService
    let http: HTTPService
    let capf: CAPFService
    let tvs: TVSService
    let https: HTTPSService?
    let sip: SIPService

    public var tftpPort: UInt16 { tftp.port }
    public var httpPort: UInt16 { http.port }
    public var capfPort: UInt16 { capf.port }
    public var tvsPort: UInt16 { tvs.port }
    /// nil when the lab has no EC TFTP identity (not made with `init --ec`).
    public var httpsPort: UInt16? { https?.port }
    /// SIP over TLS: the call manager's `securedSipPort` in the lab's configurations.
    public var sipTLSPort: UInt16 { sip.port }

    /// `advertised`: the address the served files name for CAPF, TVS and the call manager
    /// (nil: `host`). A board behind QEMU's user network reaches the lab at 10.0.2.2 while
    /// the lab listens on the loopback of the namespace both run in.
    public init(lab: Lab, host: String, advertised: String? = nil, tftpPort: UInt16, httpPort: UInt16, capfPort: UInt16,
                tvsPort: UInt16 = 0, httpsPort: UInt16 = 0, sipTLSPort: UInt16 = 0) throws {
        https = try lab.tftpEC.map { try HTTPSService(lab: lab, identity: $0, host: host, port: httpsPort) }
        sip = try SIPService(lab: lab, host: host, port: sipTLSPort)
        capf = try CAPFService(lab: lab, host: host, port: capfPort)
        tvs = try TVSService(lab: lab, host: host, port: tvsPort)
        lab.addresses = Lab.Addresses(host: advertised ?? host, capfPort: capf.port, tvsPort: tvs.port, sipTLSPort: sip.port)
        tftp = try TFTPService(lab: lab, host: host, port: tftpPort)
        http = try HTTPService(lab: lab, host: host, port: httpPort)
    }

    public func start() {
        tftp.start()
        http.start()
        capf.start()
        tvs.start()
        https?.start()
        sip.start()
    }

    public func stop() {
        tftp.stop()
        http.stop()
        capf.stop()
        tvs.stop()
        https?.stop()
        sip.stop()
    }
}
