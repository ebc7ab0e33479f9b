import PhoneTrust

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
            let update = try memory.trustStore.install(bytes, kind: kind, servedAs: fetch.name)
            if update.outcome != .unchanged { actions.append(.persistTrustList(kind, bytes)) }
            event = .trustListInstalled(name: fetch.name, kind: kind, outcome: update.outcome, signer: update.signer)
        } catch {
            // The installed list stays; the phone goes on with what it trusts.
            event = .trustListRejected(name: fetch.name, kind: kind, cause: error)
        }
        let next = kind == .ctl ? itlFetch() : configFetch()
        state = kind == .ctl ? .fetchingTrustList(next, kind: .itl) : .fetchingConfig(next)
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
            next = configFetch()
            state = .fetchingConfig(next)
            if memory.trustStore.isEmpty { return ([.fetch(name: next.name, server: next.server)], .noTrustList(then: .fetching(next.name))) }
        }
        return ([.fetch(name: next.name, server: next.server)], .fileNotFound(name: name, then: .fetching(next.name)))
    }
}
