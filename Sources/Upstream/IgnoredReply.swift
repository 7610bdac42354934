// An upstream JSON answer that only has to be valid JSON.

/// An answer whose content is not needed beyond its success.
struct IgnoredReply {}
