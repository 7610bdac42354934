import Foundation
import Metering
@testable import PostgresStore
import Testing

@Suite struct RunSpoolTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "threadmeter-spool-\(UUID().uuidString).jsonl"
    }

    @Test func keptRows_surviveAReopen_andDoneRowsDoNot() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let spool = try RunSpool(path: path)
            try spool.append(StoreFixtures.record("t", run: "r1", input: 1, output: 2))
            try spool.append(StoreFixtures.record("t", run: "r2", input: 3, output: 4, account: nil, cost: nil))
            try spool.append(StoreFixtures.record("t", run: "r2", input: 3, output: 4)) // same run id: kept once
            try spool.markDone("r1")
        }
        let reopened = try RunSpool(path: path)
        #expect(reopened.pending.map(\.runId) == ["r2"])
        #expect(reopened.pending.first == StoreFixtures.record("t", run: "r2", input: 3, output: 4, account: nil, cost: nil))
        try reopened.markDone("r2")
        #expect(reopened.isEmpty)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 0, "an empty spool leaves an empty file")
    }

    @Test func aSecondProcessOrInstance_cannotShareTheFile() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try RunSpool(path: path)
        #expect(throws: RunSpool.Failure.self) { _ = try RunSpool(path: path) }
        _ = first
    }

    @Test func aTornLastLine_isIgnored() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let spool = try RunSpool(path: path)
            try spool.append(StoreFixtures.record("t", run: "r1", input: 1, output: 2))
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"run\":{\"runId\":\"r9\",\"thr".utf8))
        try handle.close()
        let reopened = try RunSpool(path: path)
        #expect(reopened.pending.map(\.runId) == ["r1"])
    }
}
