import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The cluster's CallManager certificate change, as CUCM 12+ plays it (formats.md §1,
/// "ITL recovery"): first the ITL is signed by the new CallManager key, which phones
/// accept because TVS vouches for it; after a TFTP restart the ITLRecovery (the lab's
/// SAST) signs again, which phones accept because the first ITL lists it as SAST.
public enum RotationStep: String, CaseIterable {
    case newKey = "new-key"
    case recovery
}

extension Lab {
    /// Carries out one step on the lab's files and on what this lab serves from now on.
    /// `cucm-lab serve` reads the files when it starts: restart it, as a cluster's TFTP
    /// service is restarted.
    @discardableResult
    public func rotateCallManager(_ step: RotationStep) throws -> (signer: String, callManager: String) {
        filesLock.lock()
        defer { filesLock.unlock() }
        let signer: Identity
        var manager = callManager
        switch step {
        case .newKey:
            manager = try Lab.issueIdentity("ccm-tftp", subject: "CN=cucm-lab,O=Lab,OU=CallManager", isCA: false,
                                            in: directory.appendingPathComponent("pki"), rng: rng)
            signer = manager
        case .recovery:
            signer = sast
        }
        let itl = try Lab.makeITL(sast: sast, callManager: manager, capf: capf, tvs: tvs, tftpEC: tftpEC, signer: signer,
                                  newSigner: step == .newKey, rng: rng)
        try Data(itl).write(to: directory.appendingPathComponent("ITLFile.tlv"), options: .atomic)
        callManager = manager
        servedITL = itl
        log("ROTATE " + step.rawValue + ": ITL signed by " + signer.certificate.subject + " (serial "
            + hexString(signer.certificate.serialNumber) + "), CallManager serial " + hexString(manager.certificate.serialNumber))
        return (signer.certificate.subject, hexString(manager.certificate.serialNumber))
    }
}
