/// Why a benchmark could not run: the harness reports it and the run fails.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
