// The connection state machine without sockets: time is an argument, so timeouts are exact.
import HTTPWire
import Testing
@testable import HTTPServer

@Suite struct ConnectionStateMachineTests {
    let t0 = ContinuousClock.now
    let timeouts = ConnectionStateMachine.Timeouts(header: .seconds(10), body: .seconds(30), idle: .seconds(75), write: .seconds(60), linger: .seconds(2))

    func machine(maxHeaderBytes: Int = 1024, maxBodyBytes: Int = 100) -> ConnectionStateMachine {
        ConnectionStateMachine(limits: .init(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes), timeouts: timeouts, now: t0)
    }

    func feed(_ m: inout ConnectionStateMachine, _ text: String, at time: ContinuousClock.Instant) -> ConnectionStateMachine.Action {
        Array(text.utf8).withUnsafeBytes { m.bytesReceived($0, now: time) }
    }

    func isDispatch(_ action: ConnectionStateMachine.Action, target: String) -> Bool {
        if case .dispatch(let request) = action { return request.target == target }
        return false
    }

    @Test func completeRequestIsDispatched() {
        var m = machine()
        let action = feed(&m, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        #expect(action == .dispatch(HTTPRequest(method: "GET", target: "/a", headers: ["Host": "x"])))
        #expect(m.phase == .responding(keepAlive: true))
    }

    @Test func partialHeadWaitsThenHeaderTimeoutAnswers408() {
        var m = machine()
        #expect(feed(&m, "GET /a HTTP/1.1\r\n", at: t0 + .seconds(1)) == .none)
        let r1 = m.tick(now: t0 + .seconds(10))
        #expect(r1 == .none)
        // The deadline runs from the first byte, however slowly the rest trickles in.
        #expect(feed(&m, "Host", at: t0 + .seconds(9)) == .none)
        let r2 = m.tick(now: t0 + .seconds(11))
        #expect(r2 == .respondWithError(.requestTimeout))
        let r3 = m.responseFinished(now: t0 + .seconds(11))
        #expect(r3 == .closeAfterFlush)
    }

    @Test func idleConnectionClosesAfterIdleTimeout() {
        var m = machine()
        let r4 = m.tick(now: t0 + .seconds(74))
        #expect(r4 == .none)
        let r5 = m.tick(now: t0 + .seconds(75))
        #expect(r5 == .close(.idleTimeout))
    }

    @Test func idleTimeoutRestartsAfterEachResponse() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0 + .seconds(70))
        let r6 = m.tick(now: t0 + .seconds(100)) // Responding: no read timeouts.
        #expect(r6 == .none)
        let r7 = m.responseStarting(handlerWantsClose: false)
        #expect(r7)
        let r8 = m.responseFinished(now: t0 + .seconds(100))
        #expect(r8 == .none)
        let r9 = m.tick(now: t0 + .seconds(174))
        #expect(r9 == .none)
        let r10 = m.tick(now: t0 + .seconds(175))
        #expect(r10 == .close(.idleTimeout))
    }

    @Test func bodyTimeoutCountsFromLastBodyProgress() {
        var m = machine()
        #expect(feed(&m, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", at: t0) == .none)
        #expect(feed(&m, "c", at: t0 + .seconds(20)) == .none)
        let r11 = m.tick(now: t0 + .seconds(49))
        #expect(r11 == .none)
        let r12 = m.tick(now: t0 + .seconds(50))
        #expect(r12 == .respondWithError(.requestTimeout))
    }

    @Test func expectContinueIsAnsweredOnceBeforeTheBody() {
        var m = machine()
        #expect(feed(&m, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", at: t0) == .sendContinue)
        #expect(feed(&m, "a", at: t0) == .none)
        #expect(isDispatch(feed(&m, "bc", at: t0), target: "/"))
    }

    @Test func expectContinueWithTooLargeBodyIsRefusedWithout100() {
        var m = machine(maxBodyBytes: 10)
        let action = feed(&m, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n", at: t0)
        #expect(action == .respondWithError(ServerErrorReply(.payloadTooLarge)))
    }

    @Test func expectContinueIsSkippedWhenTheBodyIsAlreadyThere() {
        var m = machine()
        #expect(isDispatch(feed(&m, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz", at: t0), target: "/"))
    }

    @Test func pipelinedRequestWaitsUntilTheResponseFinishes() {
        var m = machine()
        let action = feed(&m, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        #expect(isDispatch(action, target: "/1"))
        #expect(feed(&m, "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n", at: t0) == .none)
        let r13 = m.responseStarting(handlerWantsClose: false)
        #expect(r13)
        #expect(isDispatch(m.responseFinished(now: t0), target: "/2"))
        let r14 = m.responseStarting(handlerWantsClose: false)
        #expect(r14)
        #expect(isDispatch(m.responseFinished(now: t0), target: "/3"))
        let r15 = m.responseStarting(handlerWantsClose: false)
        #expect(r15)
        let r16 = m.responseFinished(now: t0)
        #expect(r16 == .none)
        #expect(m.phase == .idle(since: t0))
    }

    @Test func readingPausesWhenPipelinedInputFillsTheBuffer() {
        var m = machine(maxHeaderBytes: 1024)
        _ = feed(&m, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        #expect(m.wantsToRead)
        _ = feed(&m, String(repeating: "x", count: 64 * 1024), at: t0)
        #expect(!m.wantsToRead)
    }

    @Test func connectionCloseFromClientOrHandlerEndsAfterResponse() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", at: t0)
        let r17 = m.responseStarting(handlerWantsClose: false)
        #expect(!r17)
        let r18 = m.responseFinished(now: t0)
        #expect(r18 == .closeAfterFlush)

        var n = machine()
        _ = feed(&n, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        let r19 = n.responseStarting(handlerWantsClose: true)
        #expect(!r19)
        let r20 = n.responseFinished(now: t0)
        #expect(r20 == .closeAfterFlush)
    }

    @Test func parseErrorIsAnsweredAndClosed() {
        var m = machine()
        let action = feed(&m, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", at: t0)
        #expect(action == .respondWithError(ServerErrorReply(.contentLengthWithTransferEncoding)))
        let r21 = m.responseStarting(handlerWantsClose: false)
        #expect(!r21)
        let r22 = m.responseFinished(now: t0)
        #expect(r22 == .closeAfterFlush)
        let r23 = m.tick(now: t0 + .seconds(2))
        #expect(r23 == .close(.lingerDone))
    }

    @Test func peerClosingDuringResponseMeansClientGone() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        let r24 = m.peerClosed()
        #expect(r24 == .close(.clientGone))
        var idle = machine()
        let r25 = idle.peerClosed()
        #expect(r25 == .close(.peerClosed))
        var partial = machine()
        _ = feed(&partial, "GET / HT", at: t0)
        let r26 = partial.peerClosed()
        #expect(r26 == .close(.peerClosedMidRequest))
    }

    @Test func stalledOutputHitsWriteTimeout() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        m.outputChanged(pending: true, progressed: false, now: t0)
        m.outputChanged(pending: true, progressed: true, now: t0 + .seconds(30))
        let r27 = m.tick(now: t0 + .seconds(89))
        #expect(r27 == .none)
        let r28 = m.tick(now: t0 + .seconds(90))
        #expect(r28 == .close(.writeTimeout))
    }

    @Test func drainedOutputClearsWriteTimeout() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        m.outputChanged(pending: true, progressed: false, now: t0)
        m.outputChanged(pending: false, progressed: true, now: t0 + .seconds(1))
        let r29 = m.tick(now: t0 + .seconds(61))
        #expect(r29 == .none)
    }

    @Test func shutdownClosesIdleAndLetsARequestFinishWithClose() {
        var idle = machine()
        let r30 = idle.beginShutdown()
        #expect(r30 == .close(.shutdown))

        var busy = machine()
        _ = feed(&busy, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        let r31 = busy.beginShutdown()
        #expect(r31 == .none)
        let r32 = busy.responseStarting(handlerWantsClose: false) // → Connection: close
        #expect(!r32)
        let r33 = busy.responseFinished(now: t0) // /2 is never dispatched.
        #expect(r33 == .closeAfterFlush)
    }

    @Test func shutdownAfterKeepAliveHeadStillClosesWhenResponseEnds() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        let r34 = m.responseStarting(handlerWantsClose: false)
        #expect(r34)
        let r35 = m.beginShutdown()
        #expect(r35 == .none)
        let r36 = m.responseFinished(now: t0)
        #expect(r36 == .closeAfterFlush)
        let r37 = m.beginShutdown() // Lingering with nothing pending.
        #expect(r37 == .close(.shutdown))
    }

    @Test func lingeringDuringShutdownClosesOnceOutputIsFlushed() {
        var m = machine()
        _ = feed(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: t0)
        _ = m.beginShutdown()
        _ = m.responseStarting(handlerWantsClose: false)
        m.outputChanged(pending: true, progressed: false, now: t0)
        let finished = m.responseFinished(now: t0)
        #expect(finished == .closeAfterFlush)
        let whilePending = m.tick(now: t0 + .milliseconds(10))
        #expect(whilePending == .none)
        m.outputChanged(pending: false, progressed: true, now: t0 + .milliseconds(20))
        let flushed = m.tick(now: t0 + .milliseconds(30))
        #expect(flushed == .close(.shutdown))
    }
}

extension ConnectionStateMachine.Phase: CustomStringConvertible {
    public var description: String {
        switch self {
        case .idle: "idle"
        case .readingHead: "readingHead"
        case .readingBody: "readingBody"
        case .responding(let keepAlive): "responding(keepAlive: \(keepAlive))"
        case .lingering: "lingering"
        case .closed: "closed"
        }
    }
}
