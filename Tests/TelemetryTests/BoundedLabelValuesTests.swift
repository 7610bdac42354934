// The cardinality guard for label values.
import Testing
import Telemetry

@Suite struct BoundedLabelValuesTests {
    @Test func admitsValuesUpToTheLimitThenMapsNewOnesToOverflow() {
        let guardrail = BoundedLabelValues(limit: 2)
        #expect(guardrail.value(for: "a") == "a")
        #expect(guardrail.value(for: "b") == "b")
        #expect(guardrail.value(for: "c") == "other")
        #expect(guardrail.value(for: "a") == "a")
        #expect(guardrail.admittedCount == 2)
    }

    @Test func nilEmptyAndBlankValuesBecomeUnknownAndLongOnesAreCut() {
        let guardrail = BoundedLabelValues(limit: 10, maxLength: 4)
        #expect(guardrail.value(for: nil) == "unknown")
        #expect(guardrail.value(for: "") == "unknown")
        #expect(guardrail.value(for: " \n") == "unknown")
        #expect(guardrail.value(for: " abcdefgh ") == "abcd")
    }

    @Test func rawValuesThatNormaliseAlikeShareOneLabelValue() {
        let guardrail = BoundedLabelValues(limit: 1) { $0.lowercased() }
        #expect(guardrail.value(for: "Completed") == "completed")
        #expect(guardrail.value(for: "COMPLETED") == "completed")
        #expect(guardrail.value(for: "completed") == "completed")
        #expect(guardrail.value(for: "failed") == "other")
        #expect(guardrail.value(for: "Completed") == "completed", "a remembered raw value keeps its label")
        #expect(guardrail.admittedCount == 1)
    }
}
