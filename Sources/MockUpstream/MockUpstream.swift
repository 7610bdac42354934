// MockUpstream: a loopback server speaking the Assistants v2 and Responses wire formats (issue 3).
