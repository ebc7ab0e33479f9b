import ArgumentParser
import Foundation

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serves the lab: TFTP, HTTP, CAPF, TVS, SIP-TLS, and HTTPS in an --ec lab. Runs until stopped.",
        discussion: """
            A port of 0 (the default) is any free one. HTTPS is 6971 on a cluster; SIP-TLS is the call \
            manager's securedSipPort in the configurations (REGISTER: 200 for the LSC the lab issued to \
            the device, else 403).
            """)

    @OptionGroup var lab: LabDirectory
    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"
    @Option(help: ArgumentHelp("The address the served files name for CAPF, TVS and the call manager (default: --host).",
                               discussion: "A board under QEMU's user network reaches the lab at 10.0.2.2."))
    var advertise: String?
    @Option(name: .customLong("tftp-port")) var tftpPort: UInt16 = 0
    @Option(name: .customLong("http-port")) var httpPort: UInt16 = 0
    @Option(name: .customLong("capf-port")) var capfPort: UInt16 = 0
    @Option(name: .customLong("tvs-port")) var tvsPort: UInt16 = 0
    @Option(name: .customLong("https-port")) var httpsPort: UInt16 = 0
    @Option(name: .customLong("sip-tls-port")) var sipTLSPort: UInt16 = 0
    @Option(help: "An evil-cluster attack (docs/hostile-clusters.md).")
    var attack: Attack?
    @Option(help: "Appends each TLS session's secrets (NSS key log) to this file.")
    var keylog: String?

    func run() throws {
        // A signal mask is inherited across exec: a parent that blocks SIGTERM (some
        // harnesses do) would leave a lab that only SIGKILL stops. Unblock the stop
        // signals before any server thread starts, so every thread inherits that.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stopSignals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        let served = try lab.open { Self.log($0) }
        served.attack = attack
        if let keylog {
            served.keyLogPath = keylog
            Self.log("TLS: key log on: CAPF and TVS session secrets are appended to " + keylog)
        }
        let server = try LabServer(lab: served, host: host, advertised: advertise, tftpPort: tftpPort, httpPort: httpPort, capfPort: capfPort,
                                   tvsPort: tvsPort, httpsPort: httpsPort, sipTLSPort: sipTLSPort)
        server.start()
        if let advertise { Self.log("the served files name " + advertise) }
        Self.log("serving on " + host + ": TFTP " + String(server.tftpPort) + ", HTTP " + String(server.httpPort) + ", CAPF "
                 + String(server.capfPort) + ", TVS " + String(server.tvsPort)
                 + (server.httpsPort.map { ", HTTPS " + String($0) } ?? "") + ", SIP-TLS " + String(server.sipTLSPort))
        while true { Thread.sleep(forTimeInterval: 3600) }
    }

    /// One line of the log, written at once (one write(2) on standard output), also when the
    /// log goes to a file or a pipe: a program waiting for the "serving on" line would
    /// otherwise wait for a full buffer.
    static func log(_ line: String) {
        FileHandle.standardOutput.write(Data(("[lab] " + line + "\n").utf8))
    }
}

extension Attack: ExpressibleByArgument {}
