// Log lines to a file descriptor, written in batches rather than one syscall per line.
import ByteAppending
import Dispatch
import EventLoops
import Foundation
import Synchronization

/// Output format of `StreamLogSink`.
public enum LogFormat: String, Sendable {
    /// `2026-11-22T20:10:24.123Z info  [label] message key=value …`
    case text
    /// One JSON object per line: `time`, `level`, `label`, `message`, then the metadata keys.
    case json
}

/// Writes formatted lines to a file descriptor (stderr by default). Lines are appended to a buffer
/// and written in batches: when the buffer passes `batchBytes`, `flushInterval` after the first
/// unwritten line, at once for `warning` and above (so a failure is never held back), and on
/// `flush()`. Order is kept: every write takes the whole buffer under one lock.
public final class StreamLogSink: LogSink {
    private struct Pending {
        var bytes: [UInt8] = []
        var flushScheduled = false
    }

    private let fd: Int32
    private let format: LogFormat
    private let flushInterval: Duration
    private let batchBytes: Int
    private let pending = Mutex(Pending())
    private let writeLock = Mutex<Void>(())
    private let timerQueue = DispatchQueue(label: "threadmeter.log.flush")

    /// A sink writing to `fileDescriptor`; `flushInterval: .zero` writes every line at once.
    public init(format: LogFormat = .text, fileDescriptor: Int32 = 2,
                flushInterval: Duration = .milliseconds(50), batchBytes: Int = 64 * 1024) {
        self.fd = fileDescriptor
        self.format = format
        self.flushInterval = flushInterval
        self.batchBytes = batchBytes
    }

    public func emit(_ record: LogRecord) {
        let urgent = record.level >= .warning || flushInterval == .zero
        let json = format == .json ? LogLineFormatter.format(record, as: .json) : nil
        let action = pending.withLock { pending -> FlushAction in
            // Formatted straight into the batch: no line buffer of its own.
            if let json {
                pending.bytes.append(utf8: json)
            } else {
                LogLineFormatter.appendText(record, to: &pending.bytes)
            }
            pending.bytes.append(10)
            if urgent || pending.bytes.count >= batchBytes { return .now }
            if pending.flushScheduled { return .none }
            pending.flushScheduled = true
            return .later
        }
        switch action {
        case .none: break
        case .now: flush()
        case .later:
            timerQueue.asyncAfter(deadline: .now() + flushInterval.dispatchInterval) { [self] in flush() }
        }
    }

    /// Writes every buffered line now (call before the process exits).
    public func flush() {
        writeLock.withLock { _ in
            var bytes = pending.withLock { pending -> [UInt8] in
                pending.flushScheduled = false
                let taken = pending.bytes
                pending.bytes = []
                pending.bytes.reserveCapacity(min(taken.count, batchBytes))
                return taken
            }
            guard !bytes.isEmpty else { return }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { buf in
                    write(fd, buf.baseAddress! + offset, buf.count - offset)
                }
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                offset += n
            }
            bytes.removeAll()
        }
    }

    private enum FlushAction { case none, now, later }
}
