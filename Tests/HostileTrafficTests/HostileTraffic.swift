// The hostile-traffic suite: attacks on a real server over loopback, one at a time (memory is
// measured per test), each ending with: others still served, memory near baseline, nothing changed.
import Testing

/// Serialized so that one attack's connections and memory never overlap another's.
@Suite(.serialized) struct HostileTraffic {}
