import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

/// The service against real HTTP clients: curl and Python's http.client.
@Suite struct RealClientTests {
    static let curl = ["/usr/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs a tool off the cooperative pool; returns (status, stdout); stderr is discarded.
    static func run(_ tool: String, _ arguments: [String], input: String = "") async throws -> (Int32, String) {
        let result = try await offCooperativePool { try ChildProcess.run(tool, arguments, input: input) }
        return (result.status, result.stdout)
    }

    @Test(.enabled(if: curl != nil, "needs curl"))
    func curlStreamsTheQueryAndHeadAndChunkedUploadWork() async throws {
        try await withTestApp { app in
            let (status, out) = try await Self.run(Self.curl!, ["-sN", "-X", "POST", "\(app.base)/v1/query",
                                                                   "-H", "Content-Type: application/json", "-d", #"{"query":"What is sales methodology?"}"#])
            #expect(status == 0)
            let events = try SSEEventRecord.parse(out)
            #expect(events.first?.type == "thread_info")
            #expect(events.last?.type == "stream_complete")
            // HEAD: headers only.
            let (headStatus, head) = try await Self.run(Self.curl!, ["-sI", "\(app.base)/health"])
            #expect(headStatus == 0)
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.lowercased().contains("content-length:"))
            // A chunked request body, as curl sends it from stdin.
            let (chunkedStatus, chunkedOut) = try await Self.run(Self.curl!, [
                "-sN", "-X", "POST", "\(app.base)/v1/query", "-H", "Content-Type: application/json",
                "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
            ], input: #"{"query":"chunked question","stream":false}"#)
            #expect(chunkedStatus == 0)
            #expect(chunkedOut.contains("\"answer\""))
        }
    }

    @Test(.enabled(if: python != nil, "needs python3"))
    func pythonHTTPClientReusesOneKeptAliveConnectionForStreamsAndStats() async throws {
        try await withTestApp { app in
            let script = """
            import http.client, json, sys
            c = http.client.HTTPConnection("127.0.0.1", \(app.port), timeout=10)
            thread = None
            totals = []
            for i in range(3):
                body = {"query": "question %d" % i}
                if thread: body["threadId"] = thread
                c.request("POST", "/v1/query", json.dumps(body), {"Content-Type": "application/json"})
                r = c.getresponse()
                assert r.status == 200, r.status
                assert r.getheader("Content-Type").startswith("text/event-stream")
                events = []
                for block in r.read().decode().split("\\n\\n"):
                    lines = [l for l in block.split("\\n") if l.startswith("data: ")]
                    if lines: events.append(json.loads(lines[0][6:]))
                assert events[0]["type"] == "thread_info" and events[-1]["type"] == "stream_complete", events
                thread = events[0]["thread_id"]
                totals.append(events[-1]["token_usage"]["total_tokens"])
            sock = c.sock
            c.request("GET", "/stats/threads/" + thread)
            r = c.getresponse()
            stats = json.loads(r.read())
            assert c.sock is sock, "the connection was reused"
            assert stats["total_tokens"] == totals[-1], (stats, totals)
            assert totals == sorted(totals) and len(set(totals)) == 3, totals
            print("ok")
            """
            let (status, out) = try await Self.run(Self.python!, ["-c", script])
            #expect(status == 0)
            #expect(out.contains("ok"), "python said: \(out)")
        }
    }
}
