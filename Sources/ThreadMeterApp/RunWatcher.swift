// Follows a drop-in run the client may never poll until it is terminal, then accounts it once.
import Foundation
import Metering
import Telemetry
import Tracing
import Upstream

/// Polls `GET /threads/{thread}/runs/{run}` or `GET /responses/{id}` in the background with a
/// bounded backoff until the run is terminal, then settles it through `DropInAccounting` (unless a
/// stream or a client's `GET` accounted it first). Used for runs created without streaming, streams
/// that ended before their terminal event, and runs whose client left mid-stream (then, on the
/// Assistants API, the run is cancelled first; a Responses stream stops when it is closed).
///
/// Every watch is recorded in the usage store (`RunWatchStore`) before it starts and removed when
/// the run is settled (here or elsewhere), vanished, or given up; a stop leaves it recorded, and the
/// next start resumes every recorded watch (`resume`), so a restart or crash never loses a run.
struct RunWatcher: Sendable {
    /// Polling schedule and limits.
    struct Schedule: Sendable {
        var firstDelay: Duration = .milliseconds(100)
        var maxDelay: Duration = .seconds(5)
        /// Longest time a run is watched, counted from its creation request; after it, the run is
        /// released unaccounted (logged at warning) and its record removed.
        var giveUpAfter: Duration = .seconds(3600)
    }

    let upstream: DropInUpstream
    let accounting: DropInAccounting
    /// Where watches are kept across restarts.
    let store: any RunWatchStore
    let schedule: Schedule
    let logger: Logger
    /// True once the service stopped: watching ends (the record stays for the next start).
    var isStopped: @Sendable () -> Bool = { false }

    /// Records the watch of run `runId` of `threadId` (begun in the registry: released or settled at
    /// the end) durably, then follows it in the background.
    func watch(runId: String, threadId: String, surface: DropInUpstream.Surface, run: DropInRun, cancelFirst: Bool) async {
        let watched = WatchedRun(runId: runId, threadId: threadId, surface: run.surface, account: run.account, streaming: run.streaming,
                                 requestId: run.requestId, startedAt: run.startedAt, cancelFirst: cancelFirst)
        let recorded = await withoutCancellation { [store] () -> Result<Void, any Error> in
            do { return .success(try await store.addWatch(watched)) } catch { return .failure(error) }
        }
        if case .failure(let error) = recorded {
            logger.error("could not record a watched run; it is watched in memory only (a restart meanwhile loses it)",
                         [("run_id", runId), ("thread_id", threadId), ("error", "\(error)")])
        }
        Task { await follow(runId: runId, threadId: threadId, surface: surface, run: run, cancelFirst: cancelFirst) }
    }

    /// At startup: follows every recorded watch again (the thread is begun for each). Returns how many.
    @discardableResult
    func resume() async -> Int {
        let watches: [WatchedRun]
        do {
            watches = try await store.watchedRuns()
        } catch {
            logger.error("could not read the watched runs to resume; they stay recorded", [("error", "\(error)")])
            return 0
        }
        for watched in watches {
            let run = DropInRun(surface: watched.surface, account: watched.account, streaming: watched.streaming,
                                requestId: watched.requestId, startedAt: watched.startedAt, trace: SpanContext.child(of: nil))
            let surface: DropInUpstream.Surface = watched.surface == .responses ? .responses : .assistants
            await accounting.begin(threadId: watched.threadId, account: watched.account)
            logger.info("resuming a watched run", [("run_id", watched.runId), ("thread_id", watched.threadId)])
            Task {
                await follow(runId: watched.runId, threadId: watched.threadId, surface: surface, run: run, cancelFirst: watched.cancelFirst)
            }
        }
        return watches.count
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
        let elapsed = max(0, Date().timeIntervalSince1970 - run.startedAt)
        let deadline = clock.now + schedule.giveUpAfter - .milliseconds(Int(elapsed * 1000))
        var delay = schedule.firstDelay
        var failures = 0
        var polls = 0
        // At least one poll: a watch resumed after a long stop may find its run over and account it.
        while polls == 0 || clock.now < deadline {
            polls += 1
            if isStopped() {
                logger.warning("service stopped while watching a run; it stays recorded and is resumed at the next start",
                               [("run_id", runId), ("thread_id", threadId)])
                return
            }
            if accounting.claims.isClaimed(runId) {
                // A stream or a client's GET accounted it meanwhile.
                await accounting.release(threadId: threadId)
                await forget(runId)
                return
            }
            do {
                let response = try await upstream.send(method: "GET", path: path, query: nil, headers: [], body: nil, surface: surface)
                let body = try await response.collect(limit: 16 << 20)
                if response.status == 404 {
                    logger.warning("watched run vanished upstream; not accounted", [("run_id", runId), ("thread_id", threadId)])
                    await accounting.release(threadId: threadId)
                    await forget(runId)
                    return
                }
                if (200..<300).contains(response.status), let polled = DropInRunReader.polled(body, surface: surface),
                   let outcome = polled.outcome {
                    await accounting.settle(outcome, threadId: threadId, run: run, begun: true, clientGone: cancelFirst)
                    await forget(runId)
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
        logger.warning("watched run did not end in time; given up and released unaccounted", [("run_id", runId), ("thread_id", threadId)])
        await accounting.release(threadId: threadId)
        await forget(runId)
    }

    /// Removes the watch's record (a failure leaves it for the next start, which finds the run
    /// accounted and removes it then).
    private func forget(_ runId: String) async {
        do {
            try await store.removeWatch(runId: runId)
        } catch {
            logger.warning("could not remove a watched run's record; the next start checks it again", [("run_id", runId), ("error", "\(error)")])
        }
    }
}
