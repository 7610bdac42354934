import Testing

@Test func placeholder_ThreadMeterAppTests() {}
