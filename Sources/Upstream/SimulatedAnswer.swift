// The text a simulated run answers with, already cut into deltas.

/// An answer in the style of the recorded fixtures, split into 8–20 deltas of one to three words.
struct SimulatedAnswer: Sendable, Equatable {
    var deltas: [String]
    var text: String { deltas.joined() }

    private static let vocabulary = [
        "pipeline", "forecast", "renewal", "budget", "timeline", "integration", "demo", "expansion",
        "discount", "contract", "procurement", "security", "adoption", "milestone", "engagement",
        "proposal", "follow-up", "upsell", "signal", "value", "workflow", "sponsor", "alignment",
        "quarterly", "account", "revenue", "stakeholder", "champion", "pricing", "onboarding",
    ]

    /// Builds an answer to `query` as run number `runNumber` of a thread holding `messages` messages.
    static func make(query: String, runNumber: Int, messages: Int, using rng: inout some RandomNumberGenerator) -> SimulatedAnswer {
        let quoted = query.count > 80 ? String(query.prefix(77)) + "..." : query
        var words = "Based on the \(messages) messages so far, here is answer #\(runNumber) about \"\(quoted)\":"
            .split(separator: " ").map(String.init)
        let extra = Int.random(in: 6...20, using: &rng)
        for index in 0..<extra {
            var word = vocabulary.randomElement(using: &rng) ?? "value"
            if index == extra / 2 { word += "." }
            words.append(word)
        }
        words[words.count - 1] += "."
        let deltaCount = min(words.count, Int.random(in: 8...20, using: &rng))
        // Spread the words over `deltaCount` deltas; every delta after the first starts with a space.
        var deltas: [String] = []
        deltas.reserveCapacity(deltaCount)
        var start = 0
        for index in 0..<deltaCount {
            let end = (words.count * (index + 1)) / deltaCount
            let piece = words[start..<end].joined(separator: " ")
            deltas.append(index == 0 ? piece : " " + piece)
            start = end
        }
        return SimulatedAnswer(deltas: deltas)
    }
}
