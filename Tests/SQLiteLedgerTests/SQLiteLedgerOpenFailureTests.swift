import Foundation
import Glibc
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerOpenFailureTests {
    func openError(_ path: String) throws -> SQLiteLedgerError {
        try #require(throws: SQLiteLedgerError.self) { try SQLiteLedger.open(path) }
    }

    @Test func missingDirectory_isACannotOpenError() throws {
        let error = try openError("/nonexistent-dir-\(getpid())/ledger.sqlite")
        #expect(error.kind == .cannotOpen)
        #expect(error.description.hasPrefix("usage database /nonexistent-dir-"))
        #expect(error.description.contains("unable to open database file"))
        #expect(!error.description.contains("\n"))
    }

    @Test func aDirectoryAsPath_isACannotOpenError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = try openError(dir.path)
        #expect(error.kind == .cannotOpen)
    }

    @Test func garbageFile_isNotADatabase() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("garbage.sqlite")
        try Data(repeating: 0xAB, count: 8_192).write(to: URL(fileURLWithPath: path))
        let error = try openError(path)
        #expect(error.kind == .notADatabase)
        #expect(error.description.contains("is not a SQLite database"))
    }

    @Test func damagedPages_areReportedAsCorrupt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let ledger = try SQLiteLedger.open(path)
        try await ledger.append(contentsOf: (0..<500).map { Fixtures.record("t\($0 % 9)", $0, 1, run: "r\($0)", at: Fixtures.t0) })
        ledger.close()
        // Overwrite the middle of the file (b-tree pages of llm_calls) with garbage.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 8_192))
        try handle.close()
        let error = try openError(path)
        #expect(error.kind == .corrupt)
        #expect(error.description.contains("is damaged"))
    }

    @Test func anotherApplicationsDatabase_isRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("other.sqlite")
        let db = try SQLiteConnection(path: path, readOnly: false, busyTimeoutMilliseconds: 100)
        try db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.close()
        let error = try openError(path)
        #expect(error.kind == .notALedger)
    }

    @Test(.enabled(if: TmpfsMount.isPermitted, "needs permission to mount tmpfs (root)"))
    func readOnlyFilesystem_isNotWritable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mount = try TmpfsMount(at: dir.file("fs"), sizeKiB: 1_024)
        defer { mount.unmount() }
        try SQLiteLedger.open(mount.file("l.sqlite")).close()
        try mount.remountReadOnly()
        let error = try openError(mount.file("l.sqlite"))
        #expect(error.kind == .readOnly)
        #expect(error.description.contains("read-only"))
        #expect(!error.description.contains("\n"))
    }
}
