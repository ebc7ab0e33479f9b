import PhoneCrypto
import PhoneWire

/// What a certificate is to be trusted for. One table of roles serves the installed
/// lists and TVS answers alike (formats.md §1, §4).
public enum TrustPurpose: Equatable, Sendable, CaseIterable {
    /// A TLS peer for call control (SIP over TLS to the CallManager).
    case callControl
    /// The signer of a configuration file, or the server of the HTTPS configuration download.
    case configuration
    /// The server of an HTTPS service (directories, XML services).
    case httpsService
    /// The signer of a new ITL.
    case trustListSigner

    /// The roles that fit this use.
    public var roles: [TrustRole] {
        switch self {
        case .callControl: return [.ccm, .ccmTFTP]
        case .configuration: return [.tftp, .ccmTFTP]
        case .httpsService: return [.appServer]
        case .trustListSigner: return [.sast, .tftp, .ccmTFTP]
        }
    }

    /// The roles a record of an installed list of this kind must have. The one
    /// difference to `roles`: the installed ITL authorises a new ITL by a SAST record
    /// only, while a CTL (or TVS) may vouch for a TFTP or CCM+TFTP signer too.
    public func listedRoles(in kind: TrustListKind) -> [TrustRole] {
        if self == .trustListSigner, kind == .itl { return [.sast] }
        return roles
    }

    public func fits(_ role: TrustRole) -> Bool { roles.contains(role) }
}

/// What the installed lists say of a certificate.
public enum ListedTrust: Equatable, Sendable {
    /// A record of this list holds the certificate with a role that fits.
    case listed(kind: TrustListKind, record: Int, subject: String, role: TrustRole)
    /// The lists hold the certificate, but with roles that do not fit the purpose.
    case listedForOtherUse(subject: String, roles: [TrustRole])
    case notListed
}

extension TrustStore {
    /// The certificates of the installed lists that `lookup` accepts for the purpose, CTL
    /// first, each once: what a connection for the purpose may be pinned to.
    public func certificates(for purpose: TrustPurpose) -> [Certificate] {
        var found: [Certificate] = []
        for installedList in installed {
            let allowed = purpose.listedRoles(in: installedList.kind)
            for (index, record) in installedList.list.records.enumerated() where allowed.contains(record.role) {
                let certificate = installedList.certificates[index]
                if !found.contains(where: { $0.der == certificate.der }) { found.append(certificate) }
            }
        }
        return found
    }

    /// Looks the certificate (DER, byte for byte) up in the installed lists, CTL first.
    public func lookup(_ der: [UInt8], for purpose: TrustPurpose) -> ListedTrust {
        var otherRoles: [TrustRole] = []
        var otherSubject: String?
        for installedList in installed {
            let allowed = purpose.listedRoles(in: installedList.kind)
            for (index, record) in installedList.list.records.enumerated()
            where installedList.list[record.certificate].elementsEqual(der) {
                if allowed.contains(record.role) {
                    return .listed(kind: installedList.kind, record: index, subject: installedList.subject(of: index),
                                   role: record.role)
                }
                if !otherRoles.contains(record.role) { otherRoles.append(record.role) }
                otherSubject = otherSubject ?? installedList.subject(of: index)
            }
        }
        guard let otherSubject else { return .notListed }
        return .listedForOtherUse(subject: otherSubject, roles: otherRoles)
    }
}
