// Test helper: send raw bytes and check the server's JSON error answer and the close that follows.
import Testing
import TestSupport

/// Sends `raw` on a new connection and expects `status` with a JSON error `code`,
/// `Connection: close`, and the connection closed by the server afterwards.
func expectRejected(_ raw: [UInt8], status: Int, code: String, port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let connection = try TestConnection(port: port)
    defer { connection.close() }
    try await connection.send(raw)
    let response = try await connection.readResponse(timeout: patience)
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers["Content-Type"] == "application/json", sourceLocation: sourceLocation)
    #expect(response.headers["Connection"] == "close", sourceLocation: sourceLocation)
    #expect(response.text.hasPrefix(#"{"error":{"code":"\#(code)","message":""#) && response.text.hasSuffix(#""}}"#),
            "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(await connection.waitForClose(timeout: patience), "server kept the connection open", sourceLocation: sourceLocation)
}

func expectRejected(_ raw: String, status: Int, code: String, port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await expectRejected(Array(raw.utf8), status: status, code: code, port: port, sourceLocation: sourceLocation)
}
