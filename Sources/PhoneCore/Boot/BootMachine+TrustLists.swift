import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md steps 1–2: the CTL names, then the ITL names; a rejected list is logged
/// and the installed one kept.
extension BootMachine {
    mutating func startOver() -> ([BootAction], BootEvent) {
        let fetch = Fetch(names: [settings.device.perDeviceCTL, "CTLFile.tlv"], server: server)
        state = .fetchingTrustList(fetch, kind: .ctl)
        var installed: [TrustListKind] = []
        if memory.trustStore.ctl != nil { installed.append(.ctl) }
        if memory.trustStore.itl != nil { installed.append(.itl) }
        return ([.fetch(name: fetch.name, server: fetch.server)],
                .started(device: settings.device, reset: resets, installed: installed))
    }

    func itlFetch() -> Fetch {
        Fetch(names: [settings.device.perDeviceITL, "ITLFile.tlv"], server: server)
    }

    mutating func trustListArrived(_ fetch: Fetch, kind: TrustListKind, bytes: [UInt8]) -> ([BootAction], BootEvent) {
        var actions: [BootAction] = []
        let event: BootEvent
        do {
            switch try memory.trustStore.check(bytes, kind: kind, servedAs: fetch.name) {
            case .unchanged(let signer):
                event = .trustListInstalled(name: fetch.name, kind: kind, outcome: .unchanged, signer: signer)
            case .authorised(let candidate, let outcome):
                let update = memory.trustStore.accept(candidate, outcome)
                actions.append(.persistTrustList(kind, bytes))
                event = .trustListInstalled(name: fetch.name, kind: kind, outcome: update.outcome, signer: update.signer)
            case .needsVouching(let candidate, let signer, let refusal):
                // formats.md §1: a TVS of the installed ITL may vouch for the new signer
                // (the cluster's CallManager certificate changed).
                state = .verifyingTrustListSigner(fetch, candidate: candidate, refusal: refusal)
                let question = trustContext.question(about: signer.der, for: .trustListSigner)
                return ([.decideTrust(question)],
                        .askingTVS(name: fetch.name, kind: kind, signer: signer.subject, refusal: refusal, servers: memory.tvsServers.count))
            }
        } catch {
            // The installed list stays; the phone goes on with what it trusts.
            event = .trustListRejected(name: fetch.name, kind: kind, cause: error)
        }
        return afterTrustList(kind: kind, actions: actions, event: event)
    }

    /// TVS answered about a new ITL's signer: install the ITL when it vouched with a role
    /// that fits, else keep the installed one.
    mutating func signerDecided(_ fetch: Fetch, candidate: InstalledTrustList, refusal: TrustError,
                                verdict: TrustVerdict) -> ([BootAction], BootEvent) {
        var actions: [BootAction] = []
        let event: BootEvent
        if case .vouched = verdict.answer {
            let update = memory.trustStore.accept(candidate, .vouchedByTVS)
            actions.append(.persistTrustList(candidate.kind, candidate.list.bytes))
            event = .trustListInstalled(name: fetch.name, kind: candidate.kind, outcome: update.outcome, signer: update.signer)
        } else {
            event = .trustListNotVouched(name: fetch.name, kind: candidate.kind, refusal: refusal, verdict: verdict)
        }
        return afterTrustList(kind: candidate.kind, actions: actions, event: event)
    }

    /// What the boot decides trust with: its lists, its TVS servers, its TVS name.
    var trustContext: TrustContext {
        TrustContext(store: memory.trustStore, tvsServers: memory.tvsServers,
                     deviceName: .ofPhone(device: settings.device, micSubject: memory.mic?.certificate.subject, model: settings.model))
    }

    private mutating func afterTrustList(kind: TrustListKind, actions before: [BootAction],
                                         event: BootEvent) -> ([BootAction], BootEvent) {
        var actions = before
        guard kind == .ctl else {
            actions.append(enterConfiguration().0)
            return (actions, event)
        }
        let next = itlFetch()
        state = .fetchingTrustList(next, kind: .itl)
        actions.append(.fetch(name: next.name, server: next.server))
        return (actions, event)
    }

    mutating func trustListNotFound(_ fetch: Fetch, kind: TrustListKind) -> ([BootAction], BootEvent) {
        let name = fetch.name
        var next = fetch
        next.index += 1
        if next.index < next.names.count {
            state = .fetchingTrustList(next, kind: kind)
        } else if kind == .ctl {
            next = itlFetch()
            state = .fetchingTrustList(next, kind: .itl)
        } else {
            let (action, then) = enterConfiguration()
            if memory.trustStore.isEmpty { return ([action], .noTrustList(then: then)) }
            return ([action], .fileNotFound(name: name, then: then))
        }
        return ([.fetch(name: next.name, server: next.server)], .fileNotFound(name: name, then: .fetching(next.name)))
    }
}
