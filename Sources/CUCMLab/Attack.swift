import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The evil cluster: one named attack at a time, on the files the lab serves or on its
/// CAPF service (`cucm-lab serve --attack NAME`). Each must leave the phone in a safe,
/// documented state (docs/hostile-clusters.md).
public enum Attack: String, CaseIterable, Sendable {
    case flippedBit = "flipped-bit"
    case unknownSigner = "unknown-signer"
    case ccmOnlySigner = "ccm-only-signer"
    case otherFilename = "other-filename"
    case rogueITL = "rogue-itl"
    case headerPastEnd = "header-past-end"
    case containerLengths = "container-lengths"
    case paddingOver16 = "padding-over-16"
    case paddingOverBody = "padding-over-body"
    case unknownDigest = "unknown-digest"
    case wrappedForAnotherPhone = "wrapped-for-another-phone"
    case entityBomb = "entity-bomb"
    case contentLength2GB = "content-length-2gb"
    case endlessTFTP = "endless-tftp"
    case oneByteASecond = "one-byte-a-second"
    case capfNotInITL = "capf-not-in-itl"
    case capfSessionIDChanges = "capf-session-id-changes"
    case capfLengthOverCap = "capf-length-over-cap"
    case capfGarbageCertificate = "capf-garbage-der"
    case capfCertificateForAnotherKey = "capf-certificate-for-another-key"
    case capfCertificateForAnotherDevice = "capf-certificate-for-another-device"
    case capfRetryLaterForever = "capf-retry-later-forever"
    case capfWrongProtocol = "capf-wrong-protocol"
    case capfOutOfOrder = "capf-out-of-order"
    case capfEndSessionMidInstall = "capf-end-session-mid-install"
    case capfStopsAnswering = "capf-stops-answering"
    case tvsNotInITL = "tvs-not-in-itl"
    case tvsWrongRoles = "tvs-wrong-roles"
    case tvsSessionIDChanges = "tvs-session-id-changes"
    case tvsOversized = "tvs-oversized"
    case tvsGarbage = "tvs-garbage"
    case tvsSilent = "tvs-silent"
    case tvsClosesAtOnce = "tvs-closes-at-once"
    case tvsTTLZero = "tvs-ttl-zero"
    case tvsTTLMax = "tvs-ttl-max"
    case httpsNotInITL = "https-not-in-itl"
    case httpsRSACertificate = "https-rsa-certificate"
    case httpsConfigForAnotherDevice = "https-config-for-another-device"
    case httpsRefusesClientCertificate = "https-refuses-client-certificate"
    case httpsHangs = "https-hangs"
    case sipUntrustedCertificate = "sip-untrusted-certificate"
    /// A firmware load's `.loads` signed by the cluster's TFTP key, not the image-signing key.
    case loadSignedByTFTP = "load-signed-by-tftp"
    /// A `.loads` signed by a key nobody knows.
    case loadUnknownSigner = "load-unknown-signer"
    /// A `.loads` asked for served as another load's (a load the lab holds under another name).
    case loadOtherName = "load-other-name"
    /// The first image a load lists is not served.
    case loadImageMissing = "load-image-missing"
    /// An image served as another image of the load (its own header, another name).
    case loadImageSwapped = "load-image-swapped"
    /// An image cut short.
    case loadImageTruncated = "load-image-truncated"
    /// One byte of an image's body changed.
    case loadImageFlipped = "load-image-flipped"
    /// An image that never ends: TFTP blocks of garbage without end (cut where its header
    /// cannot parse, 16 KiB); over HTTP a Content-Length of 2 GB (refused before a byte).
    case loadImageEndless = "load-image-endless"
    /// SIP-TLS presents an EC certificate no list holds.
    case sipUntrustedECCertificate = "sip-untrusted-ec-certificate"
    /// SIP-TLS presents the lab's EC TFTP certificate (`init --ec`): listed, but in a role
    /// that is no call control.
    case sipTFTPCertificate = "sip-tftp-certificate"

    /// Attacks on the CAPF service (the rest change files or their transport).
    public var isCAPF: Bool { rawValue.hasPrefix("capf-") }
    /// Attacks on the TVS service: they need a phone that trusts the cluster and a
    /// cluster whose CallManager certificate changed (the new ITL's signer is asked about).
    public var isTVS: Bool { rawValue.hasPrefix("tvs-") }
    /// Attacks on the HTTPS configuration (6971): they need an EC lab (`init --ec`) and a
    /// phone enrolled with an EC LSC.
    public var isHTTPS: Bool { rawValue.hasPrefix("https-") }
    /// Attacks on call control (SIP-TLS): the boot never meets them; the C API's channel does
    /// (toolchain/capi-check.sh).
    public var isSIP: Bool { rawValue.hasPrefix("sip-") }
    /// Attacks on firmware loads: an update meets them (SlotImageWriterTests), a boot does not yet.
    public var isLoad: Bool { rawValue.hasPrefix("load-") }
    /// Attacks on the `.enc.sgn`: they need a phone already enrolled.
    public var targetsEncryptedConfig: Bool {
        [.paddingOver16, .paddingOverBody, .wrappedForAnotherPhone].contains(self)
    }
}

extension Lab {
    /// A throwaway RSA identity nobody trusts (unknown signer, CAPF not in the ITL, the
    /// other phone), made once per lab.
    var stranger: Identity {
        stranger("rsa") {
            let rng = rng
            let key = try! PrivateKey.generateRSA(bits: 2048, rng: rng)
            let certificate = try! CertificateIssuer.selfSigned(.init(subject: "CN=stranger,O=Elsewhere", serialNumber: [0x5A, 1]),
                                                                key: key, rng: rng)
            return try! Identity(certificate: certificate, privateKey: key)
        }
    }

    /// The file as the attack wants it served.
    func attacked(_ name: String, _ served: Served, device: DeviceTable.Device?) -> Served {
        guard let attack, case .file(var bytes) = served else { return served }
        let now = UInt32(Date().timeIntervalSince1970)
        do {
            switch (attack, name) {
            case (.rogueITL, "ITLFile.tlv"):
                return .file(try SignedFileWriter.trustList(
                    entries: [(stranger.certificate, .sast), (stranger.certificate, .ccmTFTP), (stranger.certificate, .capf)],
                    signer: stranger, filename: "ITLFile.tlv", timestamp: now, rng: rng))
            case (.ccmOnlySigner, "ITLFile.tlv"):
                return .file(try SignedFileWriter.trustList(
                    entries: [(sast.certificate, .sast), (tftp.certificate, .ccm), (capf.certificate, .capf)],
                    signer: sast, filename: "ITLFile.tlv", timestamp: now, rng: rng))
            case (_, "ITLFile.tlv"):
                return served
            default:
                break
            }
            if attack.isLoad { return try attackedLoad(attack, name, bytes) }
            let isSigned = name.hasSuffix(".cnf.xml.sgn")
            let isEncrypted = name.hasSuffix(".cnf.xml.enc.sgn")
            switch attack {
            case .flippedBit where isSigned:
                bytes[bytes.count - 1] ^= 0x01
            case .unknownSigner where isSigned:
                let file = try SignedFile.parse(bytes)
                bytes = try SignedFileWriter.signedConfig(Array(file[file.body]), filename: name, signer: stranger, timestamp: now, rng: rng)
            case .otherFilename where isSigned:
                let file = try SignedFile.parse(bytes)
                bytes = try SignedFileWriter.signedConfig(Array(file[file.body]), filename: "SEP000000000001.cnf.xml.sgn",
                                                          signer: tftp, timestamp: now, rng: rng)
            case .headerPastEnd where isSigned:
                bytes[8] = 0xFF
                bytes[9] = 0xF0
            case .containerLengths where isSigned:
                bytes[12] = bytes[12] &- 7  // signer info shorter than its elements
            case .unknownDigest where isSigned:
                let file = try SignedFile.parse(bytes)
                // Signature info (tag 7, 15 bytes) ends where the signature element starts;
                // its first element is tag 8, the digest algorithm.
                let hashTag = file.signatureElement.lowerBound - 15
                guard bytes[hashTag] == SignedFileTag.hashAlgorithm else { return .notFound("attack could not find tag 8") }
                bytes[hashTag + 3] = 7
            case .entityBomb where isSigned:
                let bomb = """
                    <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><device>&lol3;</device>
                    """
                bytes = try SignedFileWriter.signedConfig(Array(bomb.utf8), filename: name, signer: tftp, timestamp: now, rng: rng)
            case .paddingOver16 where isEncrypted, .paddingOverBody where isEncrypted:
                let file = try SignedFile.parse(bytes)
                guard let info = file.encryption else { return served }
                let count = attack == .paddingOver16 ? 17 : 0xFFFF
                bytes[info.iv.upperBound + 3] = UInt8(count >> 8)
                bytes[info.iv.upperBound + 4] = UInt8(count & 0xFF)
                bytes = try SignedFileWriter.resign(bytes, signer: tftp, rng: rng)
            case .wrappedForAnotherPhone where isEncrypted:
                guard let device else { return served }
                bytes = try SignedFileWriter.encryptedConfig(fullConfig(device), filename: name, recipient: stranger.certificate,
                                                             signer: tftp, timestamp: now, rng: rng)
            default:
                return served
            }
            log("ATTACK " + attack.rawValue + ": served a hostile " + name)
            return .file(bytes)
        } catch {
            return .notFound("attack " + attack.rawValue + " could not build " + name + ": \(error)")
        }
    }

    /// A load file as a load attack wants it served.
    private func attackedLoad(_ attack: Attack, _ name: String, _ served: [UInt8]) throws -> Served {
        var bytes = served
        let now = UInt32(Date().timeIntervalSince1970)
        let isLoad = LoadFile.namesLoad(ArraySlice(name.utf8))
        let folder = Lab.loadsDirectory(in: directory)
        let held = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        // The image rows touch a load's images alone, never the configuration the phone fetches first.
        let isImage = !isLoad && held.contains(name)
        switch attack {
        case .loadSignedByTFTP where isLoad:
            bytes = try SignedFileWriter.resign(bytes, signer: tftp, rng: rng)
        case .loadUnknownSigner where isLoad:
            bytes = try SignedFileWriter.resign(bytes, signer: stranger, rng: rng)
        case .loadOtherName where isLoad:
            guard let other = held.first(where: { $0.hasSuffix(".loads") && $0 != name }),
                  let data = FileManager.default.contents(atPath: folder.appendingPathComponent(other).path) else { return .file(bytes) }
            bytes = [UInt8](data)
        case .loadImageMissing where isImage:
            guard firstImages(of: held).contains(name) else { return .file(bytes) }
            log("ATTACK " + attack.rawValue + ": " + name + " not served")
            return .notFound("attack " + attack.rawValue)
        case .loadImageSwapped where isImage:
            guard let other = held.first(where: { $0.hasSuffix(".sbn") && $0 != name }),
                  let data = FileManager.default.contents(atPath: folder.appendingPathComponent(other).path) else { return .file(bytes) }
            bytes = [UInt8](data)
        case .loadImageTruncated where isImage:
            bytes.removeLast(min(bytes.count / 2, 1000))
        case .loadImageFlipped where isImage:
            bytes[bytes.count - 1] ^= 0x01
        default:
            return .file(bytes)
        }
        log("ATTACK " + attack.rawValue + ": served a hostile " + name)
        return .file(bytes)
    }

    /// The first image of each load the lab holds.
    private func firstImages(of held: [String]) -> [String] {
        held.filter { $0.hasSuffix(".loads") }.compactMap { loads in
            guard let data = FileManager.default.contents(atPath: Lab.loadsDirectory(in: directory).appendingPathComponent(loads).path),
                  let load = try? LoadFile.parse([UInt8](data)), !load.images.isEmpty else { return nil }
            return load.imageName(0)
        }
    }
}
