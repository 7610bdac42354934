// The process-wide serial queues every server's event loops run on.
import Dispatch

/// A fixed set of serial queues shared by all servers in the process (one per core, at most
/// four, plus one for accepting). Each server's loops target them, so HTTP I/O uses a bounded
/// number of Dispatch threads however many servers and connections exist.
enum SharedQueues {
    static let loopCount = min(max(System.activeProcessorCount, 1), 4)

    static let loops: [DispatchQueue] = (0..<loopCount).map { DispatchQueue(label: "threadmeter.http.shared-loop.\($0)") }

    static let accept = DispatchQueue(label: "threadmeter.http.shared-accept")
}
