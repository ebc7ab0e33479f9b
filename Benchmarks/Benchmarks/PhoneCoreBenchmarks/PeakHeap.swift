import Glibc
import MallocInterposerSwift

/// The largest amount of heap in use during a measured call, above what was in use when
/// it started. The interposer counts bytes allocated and freed; live bytes only rise at
/// an allocation, so checking after every allocation of the measuring thread finds the
/// peak. The counters are process-wide: the harness's own threads' net allocations are
/// in the figure too (small; they free what they allocate).
enum PeakHeap {
    // Written only by the measuring thread (the hook returns at once on any other).
    nonisolated(unsafe) private static var peak = 0
    nonisolated(unsafe) private static var measuringThread = pthread_self()

    private static func live() -> Int {
        let statistics = MallocInterposerSwift.getStatistics()
        return statistics.mallocBytesCount - statistics.freeBytesCount
    }

    /// Runs `body` with the allocation hook installed; the peak is in bytes above the
    /// live heap at the start. Needs a malloc metric in the benchmark's configuration
    /// (the interposer counts, and calls the hook, only while the harness measures).
    static func measure<Result>(_ body: () throws -> Result) rethrows -> (Result, peakAboveBaseline: Int) {
        measuringThread = pthread_self()
        let baseline = live()
        peak = baseline
        MallocInterposerSwift.setAllocationHook { _ in
            guard pthread_equal(pthread_self(), PeakHeap.measuringThread) != 0 else { return }
            let now = PeakHeap.live()
            if now > PeakHeap.peak { PeakHeap.peak = now }
        }
        defer { MallocInterposerSwift.setAllocationHook(nil) }
        let result = try body()
        return (result, max(0, peak - baseline))
    }
}
