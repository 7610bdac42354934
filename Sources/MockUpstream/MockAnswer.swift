// The answer text of a mock run, split into deltas, and its token counts.

/// Answer text and the mock's token arithmetic (one token per whitespace-separated word, as the
/// recorded upstream counts).
enum MockAnswer {
    private static let vocabulary = [
        "pipeline", "forecast", "renewal", "budget", "timeline", "integration", "demo", "expansion",
        "discount", "contract", "procurement", "security", "adoption", "milestone", "engagement",
        "proposal", "follow-up", "upsell", "signal", "value", "workflow", "sponsor", "alignment",
    ]

    static func text(query: String, runNumber: Int, messages: Int) -> String {
        var words: [String] = []
        var index = runNumber &* 7 &+ query.utf8.count
        for _ in 0..<18 {
            words.append(vocabulary[abs(index) % vocabulary.count])
            index = index &* 31 &+ 17
        }
        return "Based on the \(messages) messages so far, here is answer #\(runNumber) about \"\(query)\": "
            + words[..<6].joined(separator: " ") + ".\nNext steps — " + words[6...].joined(separator: " ") + " ✓"
    }

    /// Splits `text` into at most `count` deltas at word boundaries (each after the first starts with its space).
    static func deltas(_ text: String, count: Int) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if character == " " && !current.isEmpty && !current.allSatisfy({ $0 == " " }) {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        let wanted = max(1, min(count, pieces.count))
        var deltas: [String] = []
        var start = 0
        for index in 0..<wanted {
            let end = pieces.count * (index + 1) / wanted
            deltas.append(pieces[start..<end].joined())
            start = end
        }
        return deltas
    }

    /// Tokens of a text: whitespace-separated words.
    static func tokens(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
    }
}
