// The error a mock stream body throws to break its connection.

/// Thrown by a stream body to break the connection (the `closeConnection` fault).
struct MockConnectionClosed: Error {}
