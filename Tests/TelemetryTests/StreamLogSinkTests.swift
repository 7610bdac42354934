import Foundation
import Telemetry
import Testing
import TestSupport

@Suite struct StreamLogSinkTests {
    /// A pipe whose read end is non-blocking, so a test can see what has been written so far.
    private final class Pipe: @unchecked Sendable {
        let readFD: Int32
        let writeFD: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            readFD = fds[0]
            writeFD = fds[1]
            _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
        }
        deinit {
            close(readFD)
            close(writeFD)
        }
        func available() -> String {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            let n = read(readFD, &buffer, buffer.count)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }
    }

    private func record(_ level: LogLevel, _ message: String) -> LogRecord {
        LogRecord(time: Date(timeIntervalSince1970: 1_706_745_600.25), level: level, label: "t", message: message, metadata: [])
    }

    @Test func infoLinesWaitForTheBatchAndFlushWritesThemInOrder() {
        let pipe = Pipe()
        let sink = StreamLogSink(fileDescriptor: pipe.writeFD, flushInterval: .seconds(3600))
        sink.emit(record(.info, "one"))
        sink.emit(record(.info, "two"))
        #expect(pipe.available().isEmpty)
        sink.flush()
        let lines = pipe.available().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("[t] one") == true)
        #expect(lines.last?.hasSuffix("[t] two") == true)
        #expect(lines.first?.hasPrefix("2024-02-01T00:00:00.250Z info") == true)
    }

    @Test func aWarningIsWrittenAtOnceWithTheLinesBeforeIt() {
        let pipe = Pipe()
        let sink = StreamLogSink(fileDescriptor: pipe.writeFD, flushInterval: .seconds(3600))
        sink.emit(record(.info, "before"))
        sink.emit(record(.warning, "trouble"))
        let text = pipe.available()
        #expect(text.contains("before"))
        #expect(text.contains("trouble"))
        #expect(text.range(of: "before")!.lowerBound < text.range(of: "trouble")!.lowerBound)
    }

    @Test func aFullBatchIsWrittenWithoutWaitingForTheTimer() {
        let pipe = Pipe()
        let sink = StreamLogSink(fileDescriptor: pipe.writeFD, flushInterval: .seconds(3600), batchBytes: 256)
        for i in 0..<10 { sink.emit(record(.info, "line \(i)")) }
        #expect(!pipe.available().isEmpty)
    }

    @Test func theTimerWritesABatchShortlyAfterTheFirstLine() async throws {
        let pipe = Pipe()
        let sink = StreamLogSink(fileDescriptor: pipe.writeFD, flushInterval: .milliseconds(20))
        sink.emit(record(.info, "soon"))
        var text = ""
        #expect(await eventually {
            text += pipe.available()
            return !text.isEmpty
        })
        #expect(text.contains("soon"))
    }
}
