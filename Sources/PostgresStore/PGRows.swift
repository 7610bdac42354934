// The rows one statement returned, in libpq's text format.

/// Result rows of one statement (text format, `nil` for SQL NULL).
public struct PGRows: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// Rows inserted/updated/deleted (`PQcmdTuples`), 0 when not reported.
    public var affected: Int

    public init(columns: [String] = [], rows: [[String?]] = [], affected: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affected = affected
    }

    public var isEmpty: Bool { rows.isEmpty }
    public var count: Int { rows.count }

    /// The first row, or `nil` when there is none.
    public var first: PGRow? { rows.first.map { PGRow(values: $0) } }

    /// Every row.
    public var all: [PGRow] { rows.map { PGRow(values: $0) } }
}

/// One row with typed accessors over the text values.
public struct PGRow: Sendable {
    public var values: [String?]

    public func string(_ i: Int) -> String? { values[i] }

    public func int(_ i: Int) -> Int? { values[i].flatMap { Int($0) } }

    public func double(_ i: Int) -> Double? { values[i].flatMap { Double($0) } }

    /// `t`/`f`, PostgreSQL's text for booleans.
    public func bool(_ i: Int) -> Bool? { values[i].map { $0 == "t" } }
}
