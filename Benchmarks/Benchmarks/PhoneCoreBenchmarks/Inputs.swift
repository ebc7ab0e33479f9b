import Foundation
import LinuxPlatform
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What the benchmarks read and what they build from it, made once per process.
/// The interop vectors are read in place from the repository's copy, Tests/Vectors.
enum Inputs {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let vectors = repository.appendingPathComponent("Tests/Vectors")

    static func vector(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: vectors.appendingPathComponent(path).path) else {
            fatalError("missing interop vector " + path + " (expected in Tests/Vectors)")
        }
        return [UInt8](data)
    }

    static let device = "SEPA45630BBFA40"
    static let sgnName = device + ".cnf.xml.sgn"
    static let encSgnName = device + ".cnf.xml.enc.sgn"

    static let rng: RandomGenerator = {
        do {
            return try RandomGenerator(personalization: Array("benchmarks".utf8), entropy: LinuxProcess.entropy)
        } catch {
            fatalError("random generator: \(error)")
        }
    }()

    static func identity(_ pem: String) -> Identity {
        do { return try Identity(pem: vector(pem)) } catch { fatalError("identity " + pem + ": \(error)") }
    }

    /// The configuration signer of the interop cluster (CCM+TFTP in its ITL) and the phone.
    static let signer = identity("interop/pki/ccm-tftp.pem")
    static let phone = identity("interop/pki/phone-mic.pem")
    static let phoneKeyPath = vectors.appendingPathComponent("interop/pki/phone-mic.pem").path

    /// A store holding the interop ITL, as the phone has it after its first boot.
    static let store: TrustStore = {
        var store = TrustStore()
        do { _ = try store.install(vector("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv") } catch {
            fatalError("installing the interop ITL: \(error)")
        }
        return store
    }()

    // MARK: - Configurations

    enum Size: String, CaseIterable {
        case small = "2KB", medium = "64KB", large = "1MB"

        /// The interop configuration as it is (2 006 bytes), or grown to this many bytes.
        var target: Int? {
            switch self {
            case .small: return nil
            case .medium: return 64 * 1024
            case .large: return 1024 * 1024
            }
        }
    }

    /// The interop vector's configuration grown with more `<line>` entries (the part of
    /// a real config that grows with the phone: lines, speed dials), padded to the byte.
    static func configuration(_ size: Size) -> [UInt8] {
        let plain = vector("interop/plain-SEPA45630BBFA40.cnf.xml")
        guard let target = size.target else { return plain }
        let text = String(decoding: plain, as: UTF8.self)
        guard let insertion = text.range(of: "    </sipLines>") else { fatalError("the vector config has no </sipLines>") }
        var lines = ""
        var button = 2
        while true {
            let number = 4000 + button
            let line = """
                  <line button="\(button)">
                    <featureID>9</featureID>
                    <featureLabel>Line \(button) &lt;\(number)&gt;</featureLabel>
                    <name>\(number)</name>
                    <displayName>Anna M&#252;ller</displayName>
                    <authName>\(number)</authName>
                    <authPassword><![CDATA[p@ss<word>&\(button)]]></authPassword>
                  </line>

            """
            if plain.count + lines.utf8.count + line.utf8.count > target { break }
            lines += line
            button += 1
        }
        lines += String(repeating: " ", count: target - plain.count - lines.utf8.count)
        let grown = Array((text[..<insertion.lowerBound] + lines + text[insertion.lowerBound...]).utf8)
        precondition(grown.count == target)
        return grown
    }

    static let timestamp: UInt32 = 1_764_374_400

    static func signed(_ size: Size) -> [UInt8] {
        do {
            return try SignedFileWriter.signedConfig(configuration(size), filename: sgnName, signer: signer,
                                                     timestamp: timestamp, rng: rng)
        } catch {
            fatalError("signing: \(error)")
        }
    }

    static func encrypted(_ size: Size) -> [UInt8] {
        do {
            return try SignedFileWriter.encryptedConfig(configuration(size), filename: encSgnName,
                                                        recipient: phone.certificate, signer: signer,
                                                        timestamp: timestamp, rng: rng)
        } catch {
            fatalError("encrypting: \(error)")
        }
    }

    // MARK: - Trust lists

    /// An ITL of 50 records, signed by the interop SAST: the cluster's four certificates
    /// and 46 more call-manager certificates (one RSA-2048 key, distinct subjects and
    /// serial numbers), the size of a large multi-node cluster's list.
    static func fiftyRecordITL() -> [UInt8] {
        let sast = identity("interop/pki/sast.pem")
        var entries: [(certificate: Certificate, role: TrustRole)] = [
            (sast.certificate, .sast), (signer.certificate, .ccmTFTP),
            (identity("interop/pki/capf.pem").certificate, .capf), (identity("interop/pki/tvs.pem").certificate, .tvs),
        ]
        do {
            let key = try PrivateKey.generateRSA(bits: 2048, rng: rng)
            for node in 1...46 {
                let profile = CertificateIssuer.Profile(subject: "CN=cucm-node\(node),O=Lab,OU=Voice",
                                                        serialNumber: [0x40, UInt8(node)])
                entries.append((try CertificateIssuer.selfSigned(profile, key: key, rng: rng), .ccm))
            }
            return try SignedFileWriter.trustList(entries: entries, signer: sast, filename: "ITLFile.tlv",
                                                  timestamp: timestamp, rng: rng)
        } catch {
            fatalError("50-record ITL: \(error)")
        }
    }
}
