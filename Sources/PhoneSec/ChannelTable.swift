import CPhoneSec
import LinuxPlatform
import PhoneCore

/// What a channel table holds: a channel that can be told to close (the C API's secure
/// channels; a stand-in in the tests).
protocol ClosableChannel {
    /// Sends close_notify, best effort.
    mutating func close()
}

extension SecureChannel: ClosableChannel {}

/// A phone handle's open channels: `PHONESEC_MAX_CHANNELS` slots. A channel's number is
/// its slot and the slot's generation, so a number that was closed stays invalid even
/// after its slot is used again.
struct ChannelTable<Channel: ClosableChannel> {
    static var slotCount: Int { Int(PHONESEC_MAX_CHANNELS) }
    /// The low bits of a number name the slot: room for 16 slots.
    static var slotBits: UInt32 { 4 }

    struct Slot {
        var channel: Channel
        /// Plaintext that did not fit the caller's buffer, handed out by the next read.
        var pending: [UInt8] = []
        var pendingStart = 0
        /// The server sent close_notify or closed the connection.
        var serverClosed = false
    }

    private var slots: [Slot?]
    private var generations: [UInt32]

    init() {
        slots = Array(repeating: nil, count: Self.slotCount)
        generations = Array(repeating: 0, count: Self.slotCount)
    }

    var isFull: Bool { !slots.contains { $0 == nil } }

    /// Stores an open channel; its number (never 0), or nil when every slot is taken.
    mutating func add(_ channel: Channel) -> UInt32? {
        guard let index = slots.firstIndex(where: { $0 == nil }) else { return nil }
        // Generations wrap far beyond any phone's uptime of channels per slot.
        generations[index] = (generations[index] &+ 1) & 0x0FFF_FFFF
        if generations[index] == 0 { generations[index] = 1 }
        slots[index] = Slot(channel: channel)
        return generations[index] << Self.slotBits | UInt32(index)
    }

    private func index(of number: UInt32) -> Int? {
        let index = Int(number & ((1 << Self.slotBits) - 1))
        guard number != 0, index < Self.slotCount, slots[index] != nil, generations[index] == number >> Self.slotBits else {
            return nil
        }
        return index
    }

    /// Runs `body` on the open channel with this number; nil when there is none.
    mutating func with<Result>(_ number: UInt32, _ body: (inout Slot) -> Result) -> Result? {
        guard let index = index(of: number) else { return nil }
        return body(&slots[index]!)
    }

    /// Sends close_notify (unless the server already closed) and frees the slot; false
    /// when the number names no open channel.
    mutating func close(_ number: UInt32) -> Bool {
        guard let index = index(of: number) else { return false }
        if !slots[index]!.serverClosed { slots[index]!.channel.close() }
        slots[index] = nil
        return true
    }

    mutating func closeAll() {
        for index in 0..<Self.slotCount where slots[index] != nil {
            if !slots[index]!.serverClosed { slots[index]!.channel.close() }
            slots[index] = nil
        }
    }
}
