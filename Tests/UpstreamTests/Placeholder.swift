import Testing

@Test func placeholder_UpstreamTests() {}
