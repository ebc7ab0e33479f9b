import PhoneCore
import PhoneWire
import XCTest

final class TFTPReadSessionTests: XCTestCase {
    private func sent(_ actions: [TFTPReadSession.Action]) -> [TFTPPacket] {
        actions.compactMap { if case .send(let bytes) = $0 { return try? TFTPPacket.parse(bytes) } else { return nil } }
    }

    private func data(_ block: UInt16, _ count: Int) -> [UInt8] {
        TFTPPacket.data(block: block, payload: [UInt8](repeating: UInt8(block & 0xFF), count: count)[...]).encoded()
    }

    func testRequestCarriesTheOptions() throws {
        var session = TFTPReadSession(filename: "ITLFile.tlv")
        let actions = session.start(now: 0)
        let request = try XCTUnwrap(actions.first.flatMap { if case .send(let b) = $0 { return b } else { return nil } })
        XCTAssertEqual(request, TFTPPacket.readRequest(filename: "ITLFile.tlv", options: [
            TFTPOption("blksize", "1428"), TFTPOption("tsize", "0"), TFTPOption("timeout", "2")]).encoded())
        guard case .setTimer(1_000) = actions.last else { return XCTFail() }
    }

    func testServerIgnoringOptionsFallsBackTo512ByteBlocks() {
        var session = TFTPReadSession(filename: "f")
        _ = session.start(now: 0)
        // DATA 1 straight away: no OACK, so blocks are 512 bytes and a 512-byte block is not the last.
        let first = session.received(data(1, 512), now: 1)
        XCTAssertEqual(sent(first), [.ack(block: 1)])
        XCTAssertFalse(session.isFinished)
        let last = session.received(data(2, 10), now: 2)
        guard case .done(let bytes) = last.last else { return XCTFail() }
        XCTAssertEqual(bytes.count, 522)
    }

    /// A streaming read hands each block on before its ACK, never keeps the file, and
    /// counts what it handed on against the cap.
    func testAStreamingReadDeliversEachBlockAndKeepsNothing() {
        var options = TFTPReadSession.Options()
        options.keepsData = false
        options.maxSize = 1000
        var session = TFTPReadSession(filename: "f", options: options)
        _ = session.start(now: 0)
        let first = session.received(data(1, 512), now: 1)
        guard case .deliver(let piece) = first.first else { return XCTFail("\(first)") }
        XCTAssertEqual(piece.count, 512)
        XCTAssertEqual(sent(first), [.ack(block: 1)])
        let last = session.received(data(2, 10), now: 2)
        guard case .deliver(let tail) = last.first, case .done(let kept) = last.last else { return XCTFail("\(last)") }
        XCTAssertEqual(tail.count, 10)
        XCTAssertEqual(kept, [], "the file was handed on, not kept")

        var capped = TFTPReadSession(filename: "f", options: options)
        _ = capped.start(now: 0)
        _ = capped.received(data(1, 512), now: 1)
        guard case .failed(.tooLarge(1000)) = capped.received(data(2, 512), now: 2).last else { return XCTFail("over the cap") }
    }

    func testOptionsRefusedRetriesWithoutThem() {
        var session = TFTPReadSession(filename: "f")
        _ = session.start(now: 0)
        let retry = session.received(TFTPPacket.error(code: 8, message: "no options").encoded(), now: 1)
        guard case .send(let request) = retry.first else { return XCTFail() }
        XCTAssertEqual(request, TFTPPacket.readRequest(filename: "f", options: []).encoded())
    }

    func testDuplicatesAreIgnoredAndLostAcksRetransmittedByTheTimer() {
        var session = TFTPReadSession(filename: "f")
        _ = session.start(now: 0)
        _ = session.received(TFTPPacket.optionAcknowledgement([TFTPOption("blksize", "100")]).encoded(), now: 1)
        XCTAssertEqual(sent(session.received(data(1, 100), now: 2)), [.ack(block: 1)])
        // The server did not get our ACK and sends block 1 again: no answer (no sorcerer's apprentice).
        XCTAssertTrue(session.received(data(1, 100), now: 3).isEmpty)
        // Our timer re-sends the last ACK, with a doubled timeout.
        let retransmit = session.timerFired(now: 1_002)
        XCTAssertEqual(sent(retransmit), [.ack(block: 1)])
        guard case .setTimer(3_002) = retransmit.last else { return XCTFail("\(retransmit)") }
    }

    func testBlockNumbersWrapAround() {
        var options = TFTPReadSession.Options()
        options.blockSize = 8
        options.maxSize = 1 << 20
        var session = TFTPReadSession(filename: "f", options: options)
        _ = session.start(now: 0)
        _ = session.received(TFTPPacket.optionAcknowledgement([TFTPOption("blksize", "8")]).encoded(), now: 1)
        for index in 1...65_537 {
            let block = UInt16(truncatingIfNeeded: index)
            XCTAssertEqual(sent(session.received(data(block, 8), now: 2)), [.ack(block: block)], "block \(index)")
        }
        guard case .done(let bytes) = session.received(data(2, 0), now: 3).last else { return XCTFail() }
        XCTAssertEqual(bytes.count, 65_537 * 8)
    }

    func testSizeCapWithAndWithoutTsize() {
        var options = TFTPReadSession.Options()
        options.maxSize = 1_000
        var announced = TFTPReadSession(filename: "f", options: options)
        _ = announced.start(now: 0)
        let refused = announced.received(TFTPPacket.optionAcknowledgement([TFTPOption("tsize", "5000")]).encoded(), now: 1)
        XCTAssertEqual(sent(refused), [.error(code: 3, message: "file too large")])
        guard case .failed(.tooLarge(limit: 1_000)) = refused.last else { return XCTFail() }

        var endless = TFTPReadSession(filename: "f", options: options)
        _ = endless.start(now: 0)
        var outcome: TFTPReadSession.Action?
        for block in 1...10 where outcome == nil {
            outcome = endless.received(data(UInt16(block), 512), now: 1).first { if case .failed = $0 { return true } else { return false } }
        }
        guard case .failed(.tooLarge) = outcome else { return XCTFail("an endless transfer is cut at the cap") }
    }

    func testNotFoundTimeoutAndGarbage() {
        var missing = TFTPReadSession(filename: "f")
        _ = missing.start(now: 0)
        guard case .failed(.notFound) = missing.received(TFTPPacket.error(code: 1, message: "nope").encoded(), now: 1).last else {
            return XCTFail()
        }
        var silent = TFTPReadSession(filename: "f")
        _ = silent.start(now: 0)
        XCTAssertTrue(silent.received([0xDE, 0xAD], now: 1).isEmpty, "garbage is dropped")
        var last: [TFTPReadSession.Action] = []
        for retry in 1...6 { last = silent.timerFired(now: UInt64(retry) * 20_000) }
        guard case .failed(.timedOut(retries: 5)) = last.last else { return XCTFail("\(last)") }
    }
}
