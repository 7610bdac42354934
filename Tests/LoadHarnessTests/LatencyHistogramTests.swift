import Testing
@testable import threadmeter_load

@Suite struct LatencyHistogramTests {
    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for v in 0..<1024 { histogram.record(UInt64(v)) }
        #expect(histogram.value(atPercentile: 50) == 511)
        #expect(histogram.min == 0)
        #expect(histogram.max == 1023)
    }

    @Test func percentilesStayWithinTheBucketPrecision() {
        var histogram = LatencyHistogram()
        for v in 1...100_000 { histogram.record(UInt64(v)) }
        for (p, exact) in [(50.0, 50_000.0), (90.0, 90_000.0), (99.0, 99_000.0)] {
            let reported = Double(histogram.value(atPercentile: p))
            #expect(abs(reported - exact) / exact < 1.0 / 1024 + 1e-9, "p\(p) = \(reported), exact \(exact)")
        }
        #expect(histogram.value(atPercentile: 100) == 100_000)
        #expect(histogram.count == 100_000)
    }

    @Test func bucketsAreContiguousAndCoverEveryValue() {
        var previous = -1
        for v: UInt64 in [0, 1, 31, 32, 1023, 1024, 1025, 2047, 2048, 2049, 4096, 1 << 40, UInt64.max] {
            let index = LatencyHistogram.bucketIndex(v)
            #expect(index >= previous)
            #expect(index < LatencyHistogram.bucketCount)
            #expect(LatencyHistogram.highestValue(inBucket: index) >= v)
            previous = index
        }
    }

    @Test func mergingAddsCountsAndKeepsExtremes() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        a.record(10); a.record(20)
        b.record(5); b.record(1000)
        a.merge(b)
        #expect(a.count == 4)
        #expect(a.min == 5)
        #expect(a.max == 1000)
        #expect(a.sum == 1035)
    }

    @Test func emptyHistogramReportsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 99) == 0)
        #expect(histogram.summary.max == 0)
    }
}
