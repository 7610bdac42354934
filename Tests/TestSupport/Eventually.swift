// The suite's one way to wait for something that happens on another task, thread or process.

/// How long any test waits for a condition before it fails. Generous on purpose: `eventually`
/// returns as soon as the condition holds, so only a failing test ever waits this long, and a
/// machine running every suite in parallel on two cores must not turn a slow pass into a failure.
public let patience: Duration = .seconds(30)

/// Checks `condition` until it holds (true) or `patience` has passed (false), pausing a few
/// milliseconds between checks. Use it instead of sleeping and then asserting.
public func eventually(
    isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + patience
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
}

/// Waits (with `eventually`) until `progress` stops growing: the same non-zero value over 40
/// consecutive checks, each while `holds` is true. Returns that value, or nil after `patience`.
/// For backpressure tests: "the writer is stuck" is an observed fact, not a sleep.
public func eventuallyStalls(
    isolation: isolated (any Actor)? = #isolation,
    _ progress: () -> Int, while holds: () -> Bool = { true }
) async -> Int? {
    var last = -1
    var unchangedChecks = 0
    let stalled = await eventually(isolation: isolation) {
        let now = progress()
        unchangedChecks = now == last && now > 0 && holds() ? unchangedChecks + 1 : 0
        last = now
        return unchangedChecks >= 40
    }
    return stalled ? last : nil
}
