// Follows a drop-in run the client may never poll until it is terminal, then accounts it once.
import Foundation
import Metering
import Telemetry
import Upstream

/// Polls `GET /threads/{thread}/runs/{run}` or `GET /responses/{id}` in the background with a
/// bounded backoff until the run is terminal, then settles it through `DropInAccounting` (unless a
/// stream or a client's `GET` accounted it first). Used for runs created without streaming, streams
/// that ended before their terminal event, and runs whose client left mid-stream (then, on the
/// Assistants API, the run is cancelled first; a Responses stream stops when it is closed).
struct RunWatcher: Sendable {
    /// Polling schedule and limits.
    struct Schedule: Sendable {
        var firstDelay: Duration = .milliseconds(100)
        var maxDelay: Duration = .seconds(5)
        /// Longest time a run is watched; after it, the run is released unaccounted (logged).
        var giveUpAfter: Duration = .seconds(3600)
    }

    let upstream: DropInUpstream
    let accounting: DropInAccounting
    let schedule: Schedule
    let logger: Logger
    /// True once the service stopped: watching ends (the run is left unaccounted, logged).
    var isStopped: @Sendable () -> Bool = { false }

    /// Starts watching run `runId` of `threadId` (begun in the registry: released or settled at the end).
    func watch(runId: String, threadId: String, surface: DropInUpstream.Surface, run: DropInRun, cancelFirst: Bool) {
        Task { await follow(runId: runId, threadId: threadId, surface: surface, run: run, cancelFirst: cancelFirst) }
    }

    /// The watch itself (tests await it).
    func follow(runId: String, threadId: String, surface: DropInUpstream.Surface, run: DropInRun, cancelFirst: Bool) async {
        let path = surface == .assistants ? ["threads", threadId, "runs", runId] : ["responses", runId]
        if cancelFirst, surface == .assistants {
            let cancelled = try? await upstream.send(method: "POST", path: path + ["cancel"], query: nil, headers: [],
                                                     body: nil, surface: surface)
            _ = try? await cancelled?.collect(limit: 1 << 20)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + schedule.giveUpAfter
        var delay = schedule.firstDelay
        var failures = 0
        while clock.now < deadline {
            if isStopped() {
                logger.warning("service stopped while watching a run; its usage is not accounted", [("run_id", runId), ("thread_id", threadId)])
                return
            }
            if accounting.claims.isClaimed(runId) {
                // A stream or a client's GET accounted it meanwhile.
                await accounting.release(threadId: threadId)
                return
            }
            do {
                let response = try await upstream.send(method: "GET", path: path, query: nil, headers: [], body: nil, surface: surface)
                let body = try await response.collect(limit: 16 << 20)
                if response.status == 404 {
                    logger.warning("watched run vanished upstream; not accounted", [("run_id", runId), ("thread_id", threadId)])
                    await accounting.release(threadId: threadId)
                    return
                }
                if (200..<300).contains(response.status), let polled = DropInRunReader.polled(body, surface: surface),
                   let outcome = polled.outcome {
                    await accounting.settle(outcome, threadId: threadId, run: run, begun: true, clientGone: cancelFirst)
                    return
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    logger.warning("polling a watched run failed; retrying", [("run_id", runId), ("error", error.message)])
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(schedule.maxDelay, delay * 2)
        }
        logger.error("watched run did not end in time; released unaccounted", [("run_id", runId), ("thread_id", threadId)])
        await accounting.release(threadId: threadId)
    }
}
