// Test helpers: server on port 0, raw socket client.
