// A streamed drop-in run relayed event by event, accounted before its terminal event is relayed.
import ByteAppending
import HTTPServer
import HTTPWire
import Telemetry
import Upstream

/// Relays an upstream run (or response) stream to the client as it arrives: every event with its
/// name and data unchanged, `[DONE]` included, nothing injected but `: keep-alive` comment lines while
/// the upstream is silent (`DropInKeepAlive`). The events also go through a
/// `DropInRunReader`; the event that ends the run is relayed only after the run is settled. A
/// stream that ends (or breaks) before that, or a client that leaves, hands the run to the
/// `RunWatcher` (which cancels an Assistants run first when the client left).
struct DropInRelay: Sendable {
    let accounting: DropInAccounting
    let watcher: RunWatcher
    let logger: Logger
    /// `: keep-alive` comments during upstream silence (`SSE_KEEPALIVE_SECONDS`); nil: none.
    var keepAlive: KeepAlivePolicy?

    func relay(_ response: DropInResponse, reader initial: DropInRunReader, surface: DropInUpstream.Surface, run: DropInRun,
               to writer: any ResponseBodyWriter) async {
        var reader = initial
        var parser = SSEParser()
        var begun: String?
        var settled = false
        var clientGone = false
        if let threadId = reader.accountingThreadId {
            await accounting.begin(threadId: threadId, account: run.account)
            begun = threadId
        }
        let ticks = keepAlive.map { DropInKeepAlives.start($0, writer: writer) }
        var body = response.body.makeAsyncIterator()
        reading: while true {
            ticks?.waitingForUpstream(true)
            let next = await body.next()
            ticks?.waitingForUpstream(false)
            guard let chunk = next else { break }
            let events: [SSEEvent]
            switch chunk {
            case .failed(let error):
                logger.warning("drop-in stream broke", [("request_id", run.requestId), ("error", error.message)])
                break reading
            case .bytes(let bytes):
                do {
                    events = try parser.feed(bytes)
                } catch {
                    logger.warning("drop-in stream sent an event over the size limit", [("request_id", run.requestId)])
                    response.cancel()
                    break reading
                }
            }
            for event in events {
                let outcome = settled ? nil : reader.read(event)
                if begun == nil, let threadId = reader.accountingThreadId {
                    await accounting.begin(threadId: threadId, account: run.account)
                    begun = threadId
                }
                if let outcome, let threadId = reader.accountingThreadId {
                    settled = true
                    let wasBegun = begun != nil
                    _ = await withoutCancellation { [accounting] in
                        await accounting.settle(outcome, threadId: threadId, run: run, begun: wasBegun)
                    }
                }
                do {
                    if let ticks { try await ticks.write(Self.encode(event)) } else { try await writer.write(Self.encode(event)) }
                } catch {
                    clientGone = true
                    response.cancel()
                    break reading
                }
            }
        }
        await ticks?.stop()
        if Task.isCancelled { clientGone = true }
        guard !settled else { return }
        guard let runId = reader.runId, let threadId = reader.accountingThreadId else {
            // The run never became known: nothing to account.
            if let begun { await accounting.release(threadId: begun) }
            return
        }
        if begun == nil { await accounting.begin(threadId: threadId, account: run.account) }
        // Not over yet (client gone, stream broken, or waiting for tool outputs): watch it to its end.
        await watcher.watch(runId: runId, threadId: threadId, surface: surface, run: run, cancelFirst: clientGone)
    }

    /// One event as the upstream framed it: `event:` (unless it named none) and its `data:` lines.
    static func encode(_ event: SSEEvent) -> [UInt8] {
        guard event.event == "message" else { return SSEEncoder.event(event.event, data: event.data) }
        var out: [UInt8] = []
        for line in event.data.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(literal: "data: ")
            out.append(utf8: line)
            out.append(10)
        }
        out.append(10)
        return out
    }
}
