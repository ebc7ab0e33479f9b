import MallocInterposerSwift

/// The largest amount of heap in use during a measured call, above what was in use when
/// it started. The interposer counts bytes allocated and freed; live bytes only rise at
/// an allocation, so checking after every allocation finds the exact peak.
enum PeakHeap {
    // Written only by the allocating (benchmark) thread while the hook is installed.
    nonisolated(unsafe) private static var peak = 0

    private static func live() -> Int {
        let statistics = MallocInterposerSwift.getStatistics()
        return statistics.mallocBytesCount - statistics.freeBytesCount
    }

    /// Runs `body` with the allocation hook installed; the peak is in bytes above the
    /// live heap at the start. Needs a malloc metric in the benchmark's configuration
    /// (the interposer counts, and calls the hook, only while the harness measures).
    static func measure<Result>(_ body: () throws -> Result) rethrows -> (Result, peakAboveBaseline: Int) {
        let baseline = live()
        peak = baseline
        MallocInterposerSwift.setAllocationHook { _ in
            let now = PeakHeap.live()
            if now > PeakHeap.peak { PeakHeap.peak = now }
        }
        defer { MallocInterposerSwift.setAllocationHook(nil) }
        let result = try body()
        return (result, max(0, peak - baseline))
    }
}
