import PhoneWire

/// Why a TFTP read ended without the file.
public enum TFTPError: Error, Equatable {
    case notFound
    case serverError(code: UInt16, message: String)
    case timedOut(retries: Int)
    case tooLarge(limit: Int)
    case protocolViolation(String)
}

/// One TFTP read (RFC 1350, octet mode) with option negotiation (RFC 2347: blksize
/// RFC 2348, tsize and timeout RFC 2349), sans-IO: datagrams and timer expiries in,
/// datagrams and timer settings out. The platform owns the socket and locks onto the
/// server's transfer ID (the port of its first answer).
public struct TFTPReadSession {
    public struct Options {
        /// Requested block size; the server may lower it. 1428 fits a 1500-byte MTU.
        public var blockSize = 1428
        /// Ask for tsize (the server announces the size) and refuse files over the cap early.
        public var askForSize = true
        /// Seconds proposed to the server for its retransmission timeout.
        public var serverTimeout = 2
        /// Our first retransmission timeout; it doubles on every retry.
        public var initialTimeoutMs: UInt64 = 1_000
        public var maxRetries = 5
        public var maxSize = 8 * 1024 * 1024
        /// False: the file is never held whole; each block's bytes come out as `.deliver`
        /// and `.done` carries nothing (a firmware image, streamed into its slot).
        public var keepsData = true

        public init() {}
    }

    public enum Action {
        /// Send to the server's listening port (the request) or to the locked transfer ID.
        case send([UInt8])
        case setTimer(UInt64)
        /// The next bytes of the file, in order (a streaming read's).
        case deliver(ArraySlice<UInt8>)
        case done([UInt8])
        case failed(TFTPError)
    }

    public let filename: String
    public private(set) var options: Options
    private var negotiated: Bool
    private var blockSize = 512
    private var expectedBlock: UInt16 = 1
    /// The file so far, when the session keeps it.
    private var received: [UInt8] = []
    /// Bytes received, kept or delivered: what the cap counts.
    private var receivedCount = 0
    private var lastSent: [UInt8] = []
    private var retries = 0
    private var timeoutMs: UInt64
    private var started = false
    private var finished = false
    /// Set once the first answer arrived: from then on, duplicates and strays are ignored.
    public private(set) var peerLocked = false

    public init(filename: String, options: Options = Options()) {
        self.filename = filename
        self.options = options
        negotiated = true
        timeoutMs = options.initialTimeoutMs
    }

    public var isFinished: Bool { finished }

    public mutating func start(now: UInt64) -> [Action] {
        started = true
        return sendRequest(now: now)
    }

    private mutating func sendRequest(now: UInt64) -> [Action] {
        var requested: [TFTPOption] = []
        if negotiated {
            requested.append(TFTPOption("blksize", String(options.blockSize)))
            if options.askForSize { requested.append(TFTPOption("tsize", "0")) }
            requested.append(TFTPOption("timeout", String(options.serverTimeout)))
        }
        lastSent = TFTPPacket.readRequest(filename: filename, options: requested).encoded()
        return [.send(lastSent), .setTimer(now + timeoutMs)]
    }

    /// A datagram from the server (the platform has filtered other transfer IDs).
    public mutating func received(_ datagram: [UInt8], now: UInt64) -> [Action] {
        guard started, !finished else { return [] }
        let packet: TFTPPacket
        // A datagram that is not TFTP (garbage, or a late stray) is dropped; the timer
        // and the retry bound still end a transfer that makes no progress.
        do { packet = try TFTPPacket.parse(datagram) } catch { return [] }
        switch packet {
        case .optionAcknowledgement(let acknowledged):
            guard !peerLocked, negotiated else { return [] }  // a late duplicate OACK
            peerLocked = true
            for option in acknowledged {
                let name = option.name.utf8.map { $0 | 0x20 }
                let value = DecimalNumber.parse(Array(option.value.utf8)[...], maxDigits: 12) ?? -1
                if name.elementsEqual("blksize".utf8) {
                    guard value >= 8, value <= options.blockSize else {
                        return refuse("blksize " + option.value + " was not offered")
                    }
                    blockSize = value
                } else if name.elementsEqual("tsize".utf8) {
                    guard value >= 0 else { return refuse("bad tsize") }
                    if value > options.maxSize {
                        return refuse(size: value)
                    }
                    if options.keepsData { received.reserveCapacity(value) }
                }
            }
            return acknowledge(0, now: now)
        case .data(let block, let payload):
            if !peerLocked {
                // The server ignored our options: RFC 1350 defaults.
                peerLocked = true
                if negotiated { blockSize = 512 }
            }
            guard block == expectedBlock else {
                // A duplicate (our ACK was lost, or the network doubled it): ignored.
                // Answering it would let both sides double every packet (the sorcerer's
                // apprentice); our own timer re-sends the last ACK if needed.
                return []
            }
            guard payload.count <= blockSize else { return fail(.protocolViolation("block larger than negotiated")) }
            guard receivedCount + payload.count <= options.maxSize else { return refuse(size: receivedCount + payload.count) }
            receivedCount += payload.count
            var actions: [Action] = []
            if options.keepsData { received += payload } else if !payload.isEmpty { actions.append(.deliver(payload)) }
            let acknowledged = acknowledge(block, now: now)
            // Block numbers wrap after 65535 (files over 32 MB at 512 bytes).
            expectedBlock = block &+ 1
            if payload.count < blockSize {
                finished = true
                return actions + [acknowledged[0], .done(received)]
            }
            return actions + acknowledged
        case .error(let code, let message):
            if code == TFTPPacket.ErrorCode.fileNotFound { return fail(.notFound) }
            if code == TFTPPacket.ErrorCode.optionsRefused && negotiated && !peerLocked {
                // RFC 2347: the server refused the options; ask again without them.
                negotiated = false
                blockSize = 512
                retries = 0
                return sendRequest(now: now)
            }
            return fail(.serverError(code: code, message: message))
        case .ack, .readRequest:
            return []
        }
    }

    /// The timer set by the last action fired.
    public mutating func timerFired(now: UInt64) -> [Action] {
        guard started, !finished else { return [] }
        retries += 1
        guard retries <= options.maxRetries else { return fail(.timedOut(retries: options.maxRetries)) }
        timeoutMs = min(timeoutMs * 2, 16_000)
        return [.send(lastSent), .setTimer(now + timeoutMs)]
    }

    private mutating func acknowledge(_ block: UInt16, now: UInt64) -> [Action] {
        lastSent = TFTPPacket.ack(block: block).encoded()
        retries = 0
        timeoutMs = options.initialTimeoutMs
        return [.send(lastSent), .setTimer(now + timeoutMs)]
    }

    private mutating func refuse(size: Int) -> [Action] {
        finished = true
        return [.send(TFTPPacket.error(code: TFTPPacket.ErrorCode.diskFull, message: "file too large").encoded()),
                .failed(.tooLarge(limit: options.maxSize))]
    }

    private mutating func refuse(_ why: String) -> [Action] {
        finished = true
        return [.send(TFTPPacket.error(code: TFTPPacket.ErrorCode.optionsRefused, message: why).encoded()),
                .failed(.protocolViolation(why))]
    }

    private mutating func fail(_ error: TFTPError) -> [Action] {
        finished = true
        return [.failed(error)]
    }
}
