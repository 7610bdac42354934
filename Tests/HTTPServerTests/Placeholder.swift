import Testing

@Test func placeholder_HTTPServerTests() {}
