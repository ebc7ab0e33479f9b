import PhoneWire

/// A full configuration named a load other than the one running, on a phone with slots
/// (`LoadDecision`): the update runs (`LoadUpdateRunner`). Staged, the boot ends asking for
/// the reset that starts it; not staged for any reason, the phone stays configured on the
/// load it runs — an update never costs a working phone its configuration.
struct LoadUpdate {
    let config: DeviceConfiguration
    let load: String

    func on(_ input: BootInput) -> BootStep? {
        guard case .loadUpdated(let result) = input else { return nil }
        switch result {
        case .staged(let load, let slot, let images):
            return BootStep(to: .loadStaged, [.loadStaged(config, load: load, slot: slot)],
                            .loadStaged(load: load, slot: slot, images: images))
        case .notStaged(let failure):
            return BootStep(to: .configured, [.configured(config)], .loadNotStaged(load: load, cause: failure))
        }
    }
}

extension BootContext {
    /// The configuration applied: on a phone with slots the running load has reached
    /// configured (a load on trial is good from here on); then an update when the
    /// configuration names another load, else done.
    func afterApplying(_ config: DeviceConfiguration, _ actions: [BootAction], _ event: BootEvent) -> BootStep {
        var actions = actions
        if settings.loadUpdate != nil { actions.append(.confirmRunningLoad(settings.runningLoad)) }
        let decision = LoadDecision.after(config, running: settings.runningLoad, hasSlots: settings.loadUpdate != nil)
        guard case .update(let load) = decision, let update = settings.loadUpdate else {
            return BootStep(to: .configured, actions + [.configured(config)], event)
        }
        return BootStep(to: .updatingLoad(LoadUpdate(config: config, load: load)),
                        actions + [.updateLoad(LoadUpdateRequest(load: load, server: run.server, update))], event)
    }
}
