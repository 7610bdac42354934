// An upstream JSON request body with no fields.

/// `{}`: the body of a call that needs none (`POST …/cancel`), or, as `EmptyBody?.none`, no body at all.
struct EmptyBody {}
