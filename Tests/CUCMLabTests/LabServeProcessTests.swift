import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// `cucm-lab serve` as another program starts it: output piped, SIGTERM blocked in the parent.
final class LabServeProcessTests: XCTestCase {
    func testServeAnnouncesItsPortsAtOnceAndStopsOnSIGTERMThoughTheParentBlockedIt() throws {
        let fixture = try LabFixture()
        defer { fixture.close() }
        let labProgram = ProgramRun.builtProgram("cucm-lab")
        // The mask is inherited across exec; the "serving on" line must arrive though
        // stdout is a pipe (line-buffered), and SIGTERM must still stop the server.
        let script = """
            import signal, subprocess, sys
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            lab = subprocess.Popen([sys.argv[1], 'serve', '--dir', sys.argv[2], '--tftp-port', '0',
                                    '--http-port', '0', '--capf-port', '0'], stdout=subprocess.PIPE)
            def give_up(*_):
                lab.kill()
                sys.exit('no "serving on" line within 10 s')
            signal.signal(signal.SIGALRM, give_up)
            signal.alarm(10)
            print(lab.stdout.readline().decode().strip())
            lab.terminate()
            try:
                print('exit', lab.wait(timeout=10))
            except subprocess.TimeoutExpired:
                lab.kill()
                print('still running after SIGTERM')
            """
        let run = try ProgramRun.run("/usr/bin/env", ["python3", "-c", script, labProgram,
                                                       fixture.work.appendingPathComponent("lab").path])
        let text = run.stdout
        XCTAssertTrue(text.hasPrefix("[lab] serving on 127.0.0.1: TFTP "), text)
        XCTAssertTrue(text.contains("exit -15"), text)
    }
}
