import Testing

@Test func placeholder_MeteringTests() {}
