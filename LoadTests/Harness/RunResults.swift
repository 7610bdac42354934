// Everything one worker measured; workers' results are merged after the run.

/// Counters, latency histograms (microseconds), errors by kind and the thread ledger.
struct RunResults: Sendable {
    var queriesStarted = 0
    var queriesSucceeded = 0
    var queriesFailed = 0
    var contentEvents = 0
    var keepAliveComments = 0
    var bodyBytes = 0
    var connectionsOpened = 0
    var newThreads = 0
    /// Time from sending the query to the `thread_info` event (direct targets: the run's response head).
    var timeToThreadInfo = LatencyHistogram()
    /// Time from sending the query to the first `content` event.
    var timeToFirstContent = LatencyHistogram()
    /// Time from sending the query to `stream_complete` (successful queries only).
    var timeToComplete = LatencyHistogram()
    var errorsByKind: [String: Int] = [:]
    /// Examples of each error kind (first few), for the report.
    var errorExamples: [String: String] = [:]
    /// Differences found while streaming (e.g. `token_usage` not equal to the runs seen before).
    var accountingDiscrepancies: [String] = []
    var ledger = ThreadLedger()

    mutating func recordError(_ kind: String, detail: String? = nil) {
        errorsByKind[kind, default: 0] += 1
        if errorExamples[kind] == nil, let detail { errorExamples[kind] = String(detail.prefix(300)) }
    }

    mutating func recordDiscrepancy(_ text: String) {
        if accountingDiscrepancies.count < 1000 { accountingDiscrepancies.append(text) }
    }

    var errorCount: Int { errorsByKind.values.reduce(0, +) }

    mutating func merge(_ other: RunResults) {
        queriesStarted += other.queriesStarted
        queriesSucceeded += other.queriesSucceeded
        queriesFailed += other.queriesFailed
        contentEvents += other.contentEvents
        keepAliveComments += other.keepAliveComments
        bodyBytes += other.bodyBytes
        connectionsOpened += other.connectionsOpened
        newThreads += other.newThreads
        timeToThreadInfo.merge(other.timeToThreadInfo)
        timeToFirstContent.merge(other.timeToFirstContent)
        timeToComplete.merge(other.timeToComplete)
        for (kind, count) in other.errorsByKind { errorsByKind[kind, default: 0] += count }
        for (kind, example) in other.errorExamples where errorExamples[kind] == nil { errorExamples[kind] = example }
        accountingDiscrepancies += other.accountingDiscrepancies
        ledger.merge(other.ledger)
    }
}
