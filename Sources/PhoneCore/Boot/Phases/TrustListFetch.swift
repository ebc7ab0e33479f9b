import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md steps 1–2: the CTL names, then the ITL names; a rejected list is logged
/// and the installed one kept.
struct TrustListFetch {
    var fetch: Fetch
    let kind: TrustListKind

    /// The boot begins, and begins again after a reset: the CTL names first.
    static func start(_ boot: inout BootContext) -> BootStep {
        let fetch = Fetch(names: [boot.settings.device.perDeviceCTL, "CTLFile.tlv"], server: boot.run.server)
        var installed: [TrustListKind] = []
        if boot.memory.trustStore.ctl != nil { installed.append(.ctl) }
        if boot.memory.trustStore.itl != nil { installed.append(.itl) }
        return BootStep(to: .fetchingTrustList(TrustListFetch(fetch: fetch, kind: .ctl)), [.fetch(name: fetch.name, server: fetch.server)],
                        .started(device: boot.settings.device, reset: boot.run.resets, installed: installed))
    }

    /// The ITL names, after the CTL's.
    static func itl(_ boot: BootContext) -> TrustListFetch {
        TrustListFetch(fetch: Fetch(names: [boot.settings.device.perDeviceITL, "ITLFile.tlv"], server: boot.run.server), kind: .itl)
    }

    func on(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        switch input {
        case .fileArrived(let name, let bytes) where fetch.awaits(name): return arrived(bytes, &boot)
        case .fileNotFound(let name) where fetch.awaits(name): return notFound(&boot)
        case .fetchFailed(let name, let failure) where fetch.awaits(name):
            return boot.failOver(fetch, failure) { .fetchingTrustList(TrustListFetch(fetch: $0, kind: kind)) }
        default: return nil
        }
    }

    private func arrived(_ bytes: [UInt8], _ boot: inout BootContext) -> BootStep {
        var actions: [BootAction] = []
        let event: BootEvent
        do {
            switch try boot.memory.trustStore.check(bytes, kind: kind, servedAs: fetch.name) {
            case .unchanged(let signer):
                event = .trustListInstalled(name: fetch.name, kind: kind, outcome: .unchanged, signer: signer)
            case .authorised(let candidate, let outcome):
                let update = boot.memory.trustStore.accept(candidate, outcome)
                actions.append(.persistTrustList(kind, bytes))
                event = .trustListInstalled(name: fetch.name, kind: kind, outcome: update.outcome, signer: update.signer)
            case .needsVouching(let candidate, let signer, let refusal):
                // formats.md §1: a TVS of the installed ITL may vouch for the new signer
                // (the cluster's CallManager certificate changed).
                let question = boot.trustContext.question(about: signer.der, for: .trustListSigner)
                return BootStep(to: .verifyingTrustListSigner(TrustListSignerCheck(fetch: fetch, candidate: candidate, refusal: refusal)),
                                [.decideTrust(question)],
                                .askingTVS(name: fetch.name, kind: kind, signer: signer.subject, refusal: refusal,
                                           servers: boot.memory.tvsServers.count))
            }
        } catch {
            // The installed list stays; the phone goes on with what it trusts.
            event = .trustListRejected(name: fetch.name, kind: kind, cause: error)
        }
        return Self.after(kind, actions, event, &boot)
    }

    private func notFound(_ boot: inout BootContext) -> BootStep {
        let name = fetch.name
        var next = fetch
        next.index += 1
        let phase: TrustListFetch
        if next.index < next.names.count {
            phase = TrustListFetch(fetch: next, kind: kind)
        } else if kind == .ctl {
            phase = Self.itl(boot)
        } else {
            let noList = boot.memory.trustStore.isEmpty
            return ConfigFetch.begin(&boot) { noList ? .noTrustList(then: $0) : .fileNotFound(name: name, then: $0) }
        }
        return BootStep(to: .fetchingTrustList(phase), [.fetch(name: phase.fetch.name, server: phase.fetch.server)],
                        .fileNotFound(name: name, then: .fetching(phase.fetch.name)))
    }

    /// A list was decided: the ITL after the CTL, the configuration after the ITL.
    static func after(_ kind: TrustListKind, _ actions: [BootAction], _ event: BootEvent, _ boot: inout BootContext) -> BootStep {
        guard kind == .ctl else { return ConfigFetch.begin(&boot, before: actions) { _ in event } }
        let next = itl(boot)
        return BootStep(to: .fetchingTrustList(next), actions + [.fetch(name: next.fetch.name, server: next.fetch.server)], event)
    }
}

/// A new ITL whose signer the installed ITL does not list, waiting for TVS.
struct TrustListSignerCheck {
    let fetch: Fetch
    let candidate: InstalledTrustList
    let refusal: TrustError

    /// TVS answered about the new signer: install the ITL when it vouched with a role that
    /// fits, else keep the installed one.
    func on(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        guard case .trustDecided(let verdict) = input else { return nil }
        var actions: [BootAction] = []
        let event: BootEvent
        if case .vouched = verdict.answer {
            let update = boot.memory.trustStore.accept(candidate, .vouchedByTVS)
            actions.append(.persistTrustList(candidate.kind, candidate.list.bytes))
            event = .trustListInstalled(name: fetch.name, kind: candidate.kind, outcome: update.outcome, signer: update.signer)
        } else {
            event = .trustListNotVouched(name: fetch.name, kind: candidate.kind, refusal: refusal, verdict: verdict)
        }
        return TrustListFetch.after(candidate.kind, actions, event, &boot)
    }
}
