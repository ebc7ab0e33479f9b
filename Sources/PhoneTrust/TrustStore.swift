import PhoneCrypto
import PhoneWire

/// Which trust list a file is: the Certificate Trust List (mixed mode) or the Identity
/// Trust List.
public enum TrustListKind: Equatable, Sendable {
    case ctl
    case itl

    /// The generic name the header may carry whatever name the file was served under.
    public var genericName: String {
        switch self {
        case .ctl: return "CTLFile.tlv"
        case .itl: return "ITLFile.tlv"
        }
    }

    public var name: String {
        switch self {
        case .ctl: return "CTL"
        case .itl: return "ITL"
        }
    }

    /// `CTL…` names are CTLs, `ITL…` names ITLs (`CTLSEP<MAC>.tlv`, `ITLFile.tlv`, …).
    public init?(servedName: String) {
        let bytes = Array(servedName.utf8)
        guard bytes.count > 4 else { return nil }
        if bytes.starts(with: Array("CTL".utf8)) {
            self = .ctl
        } else if bytes.starts(with: Array("ITL".utf8)) {
            self = .itl
        } else {
            return nil
        }
    }
}

/// A trust list that passed verification, with every record's certificate parsed once.
public struct InstalledTrustList {
    public let kind: TrustListKind
    public let list: TrustList
    public let certificates: [Certificate]
    /// The record whose certificate verified the list's signature.
    public let signerRecord: Int

    public func subject(of record: Int) -> String {
        list.file.text(list.records[record].subjectName)
    }
}

/// What installing a trust list did.
public struct TrustListUpdate {
    public enum Outcome: Equatable {
        /// Nothing was installed before: accepted on first use.
        case firstUse
        /// Replaced the installed list, authorised by an installed certificate.
        case updated
        /// The same bytes as the installed list.
        case unchanged
        /// Replaced the installed ITL, signed by a certificate it does not list, for
        /// which a TVS of the installed ITL vouched (the cluster's certificate changed).
        case vouchedByTVS
    }

    public let kind: TrustListKind
    public let outcome: Outcome
    /// Subject of the certificate that signed the new list.
    public let signer: String
}

/// A signed configuration whose signature verified against the trust store.
public struct VerifiedFile {
    public let file: SignedFile
    public let signer: String
    public let signerRole: TrustRole
}

/// The phone's installed CTL and ITL and the rules that change them (formats.md §1,
/// Cisco's "Security by Default"). A value: a rejected update leaves it untouched.
public struct TrustStore {
    public private(set) var ctl: InstalledTrustList?
    public private(set) var itl: InstalledTrustList?

    public init() {}

    public var isEmpty: Bool { ctl == nil && itl == nil }

    public var installed: [InstalledTrustList] {
        var lists: [InstalledTrustList] = []
        if let ctl { lists.append(ctl) }
        if let itl { lists.append(itl) }
        return lists
    }

    /// Rebuilds a store from lists read back from storage. Each must still be
    /// well-formed and self-consistent; the caller treats a failure as a corrupt file.
    public static func restore(ctl: [UInt8]?, itl: [UInt8]?) throws(TrustError) -> TrustStore {
        var store = TrustStore()
        if let ctl { store.ctl = try verifySelfConsistent(ctl, kind: .ctl) }
        if let itl { store.itl = try verifySelfConsistent(itl, kind: .itl) }
        return store
    }

    /// What checking a fetched trust list found.
    public enum Check {
        case unchanged(signer: String)
        /// The rules allow it: `accept` installs it.
        case authorised(InstalledTrustList, TrustListUpdate.Outcome)
        /// A well-formed, self-signed new ITL whose signer the installed ITL does not list
        /// as SAST: it may be installed only if a TVS of the installed ITL vouches for
        /// `signer` (formats.md §1). `refusal` is why the lists alone refuse it.
        case needsVouching(InstalledTrustList, signer: Certificate, refusal: TrustError)
    }

    /// Checks a fetched trust list against the rules:
    /// - the header filename is the generic name or the served name;
    /// - the signer is a SAST record of the file and its signature verifies;
    /// - with nothing installed of any kind, the list is trusted on first use;
    /// - a new CTL must be signed by a SAST of the installed CTL (else of the installed ITL);
    /// - a new ITL must be signed by a SAST, CCM+TFTP or TFTP record of an installed CTL,
    ///   else by a SAST of the installed ITL, else vouched for by TVS (`needsVouching`).
    public func check(_ bytes: [UInt8], kind: TrustListKind, servedAs name: String) throws(TrustError) -> Check {
        let candidate = try Self.verifySelfConsistent(bytes, kind: kind, servedAs: name)
        let current = kind == .ctl ? ctl : itl
        if let current, current.list.bytes == bytes {
            return .unchanged(signer: candidate.subject(of: candidate.signerRecord))
        }
        guard let (authority, roles) = authority(for: kind) else { return .authorised(candidate, .firstUse) }
        let digest = try FileSignature.digest(candidate.list.file)
        do {
            try Self.authorise(candidate.list.file, digest: digest, by: authority, roles: roles)
        } catch {
            guard kind == .itl, authority.kind == .itl else { throw error }
            switch error {
            case .signerUnknown, .signerLacksRole:
                return .needsVouching(candidate, signer: candidate.certificates[candidate.signerRecord], refusal: error)
            default:
                throw error
            }
        }
        return .authorised(candidate, .updated)
    }

    /// Installs a list `check` authorised, or one TVS vouched for.
    public mutating func accept(_ candidate: InstalledTrustList, _ outcome: TrustListUpdate.Outcome) -> TrustListUpdate {
        switch candidate.kind {
        case .ctl: ctl = candidate
        case .itl: itl = candidate
        }
        return TrustListUpdate(kind: candidate.kind, outcome: outcome, signer: candidate.subject(of: candidate.signerRecord))
    }

    /// `check`, then `accept` when the lists alone allow it (no TVS asked).
    public mutating func install(_ bytes: [UInt8], kind: TrustListKind, servedAs name: String) throws(TrustError) -> TrustListUpdate {
        switch try check(bytes, kind: kind, servedAs: name) {
        case .unchanged(let signer): return TrustListUpdate(kind: kind, outcome: .unchanged, signer: signer)
        case .authorised(let candidate, let outcome): return accept(candidate, outcome)
        case .needsVouching(_, _, let refusal): throw refusal
        }
    }

    /// Verifies a `.sgn` or `.enc.sgn`: its filename must be the served name and its
    /// signer a TFTP or CCM+TFTP record of an installed list.
    public func verifyConfiguration(_ bytes: [UInt8], servedAs name: String) throws(TrustError) -> VerifiedFile {
        let file: SignedFile
        do { file = try SignedFile.parse(bytes) } catch { throw .malformed(error) }
        guard file[file.filename].elementsEqual(name.utf8) else {
            throw .filenameMismatch(served: name, inFile: file.filenameText)
        }
        guard !isEmpty else { throw .noTrustList }
        var listedRole: TrustRole?
        for installedList in installed {
            for index in installedList.list.recordsMatchingSigner(of: file) {
                let role = installedList.list.records[index].role
                guard TrustPurpose.configuration.listedRoles(in: installedList.kind).contains(role) else {
                    listedRole = listedRole ?? role
                    continue
                }
                let digest = try FileSignature.digest(file)
                try FileSignature.verify(file, digest: digest, with: installedList.certificates[index])
                return VerifiedFile(file: file, signer: installedList.subject(of: index), signerRole: role)
            }
        }
        if let listedRole { throw .signerLacksRole(subject: file.signerNameText, role: listedRole.name) }
        throw .signerUnknown(subject: file.signerNameText)
    }

    /// Certificates of every installed record with this role (CAPF, TVS, …), CTL first.
    public func certificates(withRole role: TrustRole) -> [Certificate] {
        var found: [Certificate] = []
        for installedList in installed {
            for (index, record) in installedList.list.records.enumerated() where record.role == role {
                found.append(installedList.certificates[index])
            }
        }
        return found
    }

    // MARK: - Rules

    private func authority(for kind: TrustListKind) -> (InstalledTrustList, [TrustRole])? {
        switch kind {
        case .ctl:
            if let ctl { return (ctl, [.sast]) }
            if let itl { return (itl, [.sast]) }
        case .itl:
            if let ctl { return (ctl, TrustPurpose.trustListSigner.listedRoles(in: .ctl)) }
            if let itl { return (itl, TrustPurpose.trustListSigner.listedRoles(in: .itl)) }
        }
        return nil
    }

    private static func authorise(_ file: SignedFile, digest: [UInt8], by authority: InstalledTrustList,
                                  roles: [TrustRole]) throws(TrustError) {
        var listedRole: TrustRole?
        for index in authority.list.recordsMatchingSigner(of: file) {
            let role = authority.list.records[index].role
            guard roles.contains(role) else {
                listedRole = listedRole ?? role
                continue
            }
            try FileSignature.verify(file, digest: digest, with: authority.certificates[index])
            return
        }
        if let listedRole { throw .signerLacksRole(subject: file.signerNameText, role: listedRole.name) }
        throw .signerUnknown(subject: file.signerNameText)
    }

    /// Parses a trust list, checks the filename and that one of its own SAST records
    /// signed it, and parses every record's certificate.
    public static func verifySelfConsistent(_ bytes: [UInt8], kind: TrustListKind,
                                            servedAs name: String? = nil) throws(TrustError) -> InstalledTrustList {
        let list: TrustList
        do { list = try TrustList.parse(bytes) } catch { throw .malformed(error) }
        let file = list.file
        let inFile = file[file.filename]
        let generic = inFile.elementsEqual(kind.genericName.utf8)
        let served = name.map { inFile.elementsEqual($0.utf8) } ?? false
        guard generic || served else {
            throw .filenameMismatch(served: name ?? kind.genericName, inFile: file.filenameText)
        }
        var certificates: [Certificate] = []
        certificates.reserveCapacity(list.records.count)
        for record in list.records {
            do {
                certificates.append(try Certificate(der: list[record.certificate]))
            } catch {
                throw .badCertificate(recordOffset: record.range.lowerBound)
            }
        }
        let digest = try FileSignature.digest(file)
        var signerRecord: Int?
        var lastFailure: TrustError = .signerNotListed
        for index in list.recordsMatchingSigner(of: file) where list.records[index].role == .sast {
            do {
                try FileSignature.verify(file, digest: digest, with: certificates[index])
                signerRecord = index
                break
            } catch {
                lastFailure = error
            }
        }
        guard let signerRecord else { throw lastFailure }
        return InstalledTrustList(kind: kind, list: list, certificates: certificates, signerRecord: signerRecord)
    }
}
