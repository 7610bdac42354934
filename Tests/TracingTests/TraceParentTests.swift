// W3C traceparent parsing and formatting, and the ids behind it.
import Testing
import Tracing

@Suite struct TraceParentTests {
    static let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidVersion00HeaderIsParsedAndFormattedBack() throws {
        let parent = try #require(TraceParent(header: Self.example))
        #expect(parent.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.parentID.hex == "00f067aa0ba902b7")
        #expect(parent.sampled)
        #expect(parent.header == Self.example)
    }

    @Test func theSampledFlagIsBitZeroOfTheFlags() throws {
        #expect(try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).sampled == false)
        #expect(try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")).sampled)
        #expect(try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02")).sampled == false)
    }

    @Test(arguments: [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase hex
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   // trace id one digit short
        "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", // one digit long
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 4 fields
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // a future version: a dash must follow the flags
        "",
    ])
    func invalidHeadersAreRejected(_ header: String) {
        #expect(TraceParent(header: header) == nil)
    }

    @Test func aFutureVersionIsReadByItsFirstFourFields() throws {
        let parent = try #require(TraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"))
        #expect(parent.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.sampled)
        #expect(TraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
        #expect(parent.header.hasPrefix("00-"), "we always send the version we implement")
    }

    @Test func surroundingWhitespaceIsTolerated() {
        #expect(TraceParent(header: "  \(Self.example)\t") != nil)
    }

    @Test func randomIdsAreNeverZeroAndDifferent() {
        struct Zeros: RandomNumberGenerator {
            var calls = 0
            mutating func next() -> UInt64 {
                calls += 1
                return calls <= 2 ? 0 : 7
            }
        }
        var zeros = Zeros()
        #expect(TraceID.random(using: &zeros).hex == "00000000000000070000000000000007")
        var again = Zeros()
        #expect(SpanID.random(using: &again).hex == "0000000000000007")
        #expect(Set((0..<100).map { _ in SpanID.random() }).count == 100)
    }

    @Test func aChildContextKeepsTheTraceAndItsSampledFlag() throws {
        let parent = try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        let child = SpanContext.child(of: parent)
        #expect(child.traceID == parent.traceID)
        #expect(child.parentSpanID == parent.parentID)
        #expect(child.spanID != parent.parentID)
        #expect(!child.sampled)
        #expect(child.traceparent.header == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(child.spanID.hex)-00")
        let root = SpanContext.child(of: nil)
        #expect(root.parentSpanID == nil)
        #expect(root.sampled)
    }
}
