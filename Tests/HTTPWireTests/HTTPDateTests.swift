// IMF-fixdate formatting and its once-a-second cache.
import Synchronization
import Testing
@testable import HTTPWire

@Suite struct HTTPDateTests {
    @Test func formatsTheRFCExample() {
        #expect(HTTPDate.imfFixdate(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func formatsEpochLeapDaysAndCenturies() {
        #expect(HTTPDate.imfFixdate(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(1_706_745_600) == "Thu, 01 Feb 2024 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(4_102_444_799) == "Thu, 31 Dec 2099 23:59:59 GMT")
        #expect(HTTPDate.imfFixdate(-1) == "Wed, 31 Dec 1969 23:59:59 GMT")
    }

    @Test func cacheReformatsOnlyWhenTheSecondChanges() {
        let clock = Mutex(784_111_777)
        let cache = HTTPDateCache(now: { clock.withLock { $0 } })
        #expect(cache.current == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(cache.current == "Sun, 06 Nov 1994 08:49:37 GMT")
        clock.withLock { $0 += 1 }
        #expect(cache.current == "Sun, 06 Nov 1994 08:49:38 GMT")
    }

    @Test func cacheAppendsTwentyNineBytes() {
        let cache = HTTPDateCache()
        var buffer: [UInt8] = [1]
        cache.append(into: &buffer)
        #expect(buffer.count == 30)
        #expect(buffer.suffix(4) == Array(" GMT".utf8)[...])
    }
}
