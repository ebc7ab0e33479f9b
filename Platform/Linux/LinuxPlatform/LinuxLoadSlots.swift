import PhoneCore
import PhoneCrypto
import PhoneTrust

/// The Linux board's load slots (its `LoadSlots`, a role of `PhonePlatform`): its
/// `SlotStore`, each image streamed from its file server over the board's transport
/// (`SlotImageWriter`).
extension LinuxPhonePlatform {
    public mutating func clearInactiveSlot() -> Result<LoadSlot, LoadSlotFailure> {
        guard let slots else { return .failure(.flash("this phone has no load slots")) }
        guard let slot = slots.inactive() else { return .failure(.flash("a load is on trial: no slot is free until it ends")) }
        if case .failure(let error) = slots.clear(slot) { return .failure(.flash(error.reason)) }
        return .success(slot)
    }

    public mutating func streamImage(_ name: String, server: Int, into slot: LoadSlot, cap: Int, deadlineMs: UInt64,
                                     check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                                     finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure> {
        guard let slots else { return .failure(.flash("this phone has no load slots")) }
        let target = servers[min(server, servers.count - 1)]
        show(.fetching(transport, name: name, from: target))
        return SlotImageWriter.fetch(name, from: target, over: transport, into: slot, of: slots, cap: cap,
                                     deadlineMs: deadlineMs, check: check, finish: finish)
    }

    public mutating func confirmRunningLoad(_ load: String) {
        if let slots, case .failure(let error) = slots.confirm(running: load) { show(.storageFailed(.goodLoad, error)) }
    }

    public mutating func stage(_ slot: LoadSlot, load: String, images: [WrittenImage]) -> Result<Void, LoadSlotFailure> {
        guard let slots else { return .failure(.flash("this phone has no load slots")) }
        guard let record = SlotRecord(load: load, images: images) else {
            return .failure(.flash("no record names load " + load + " and its images as files"))
        }
        if case .failure(let error) = slots.commit(record, to: slot) { return .failure(.flash(error.reason)) }
        if case .failure(let error) = slots.markTry(slot) { return .failure(.flash(error.reason)) }
        return .success(())
    }
}
