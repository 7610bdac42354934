import Testing

@Test func placeholder_TelemetryTests() {}
