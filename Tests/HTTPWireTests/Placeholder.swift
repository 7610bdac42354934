import Testing

@Test func placeholder_HTTPWireTests() {}
