import Testing

@Test func placeholder_SQLiteLedgerTests() {}
