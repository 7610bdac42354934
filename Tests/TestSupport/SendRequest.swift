// One request on a fresh connection: the simplest way for a test to talk to a server.

/// Opens a connection, sends one request (`Connection: close`), returns the response.
public func sendRequest(
    port: Int, method: String = "GET", path: String, headers: [(String, String)] = [], body: [UInt8] = [],
    timeout: Duration = patience
) async throws -> TestResponse {
    let connection = try TestConnection(port: port)
    defer { connection.close() }
    var headers = headers
    if !headers.contains(where: { $0.0.lowercased() == "connection" }) { headers.append(("Connection", "close")) }
    return try await connection.request(method: method, path: path, headers: headers, body: body, timeout: timeout)
}

/// `sendRequest` with a text body (e.g. JSON).
public func sendRequest(
    port: Int, method: String = "POST", path: String, headers: [(String, String)] = [], body: String,
    timeout: Duration = patience
) async throws -> TestResponse {
    try await sendRequest(port: port, method: method, path: path, headers: headers, body: Array(body.utf8), timeout: timeout)
}
