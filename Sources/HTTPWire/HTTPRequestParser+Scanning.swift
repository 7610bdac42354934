// Finding line and section ends while bytes trickle in, without rescanning what was already seen.

extension HTTPRequestParser {
    private enum ScanOutcome {
        case needMore(scanned: Int, lineStart: Int, newReadIndex: Int, skipped: Int)
        case found(end: Int, newReadIndex: Int, skipped: Int)
        case failed(HTTPParseError)
    }

    /// Scans for the empty line that ends a field section (head or trailers). Returns the index
    /// after its CRLF, or nil when more bytes are needed. Lines must end in CRLF (RFC 9112 §2.2).
    /// For a head, empty lines before the request line are skipped (§2.2) but still count toward `limit`.
    mutating func scanFieldSection(limit: Int, isHead: Bool) throws(HTTPParseError) -> Int? {
        let cr = HTTPByteClass.cr, lf = HTTPByteClass.lf
        let start = readIndex, alreadyScanned = scanned, currentLineStart = lineStart, skippedSoFar = skippedBytes
        let outcome = buffer.withUnsafeBufferPointer { p -> ScanOutcome in
            var base = start
            var skipped = skippedSoFar
            var limit = limit
            var i = base + alreadyScanned
            var line = base + currentLineStart
            while i < p.count {
                if i - base >= limit { return .failed(.headerTooLarge) }
                let b = p[i]
                if b == lf {
                    guard i > base, p[i - 1] == cr else { return .failed(.bareLineFeed) }
                    if i - 1 == line {
                        if isHead && line == base {
                            // An empty line before the request line is ignored (RFC 9112 §2.2).
                            skipped += i + 1 - base
                            limit -= i + 1 - base
                            base = i + 1
                            line = base
                            i = base
                            continue
                        }
                        return .found(end: i + 1, newReadIndex: base, skipped: skipped)
                    }
                    line = i + 1
                } else if i > base, p[i - 1] == cr {
                    return .failed(.bareCarriageReturn)
                }
                i += 1
            }
            return .needMore(scanned: i - base, lineStart: line - base, newReadIndex: base, skipped: skipped)
        }
        switch outcome {
        case .failed(let error):
            throw error
        case .found(let end, let newReadIndex, let skipped):
            readIndex = newReadIndex
            skippedBytes = skipped
            return end
        case .needMore(let scanned, let lineStart, let newReadIndex, let skipped):
            readIndex = newReadIndex
            skippedBytes = skipped
            self.scanned = scanned
            self.lineStart = lineStart
            return nil
        }
    }

    /// Scans and parses a chunk-size line (RFC 9112 §7.1): hex digits, optional extensions
    /// (`;…`, ignored), CRLF. Returns the size, or nil when more bytes are needed.
    mutating func scanChunkSizeLine() throws(HTTPParseError) -> Int? {
        let cr = HTTPByteClass.cr, lf = HTTPByteClass.lf
        let start = readIndex, from = readIndex + scanned, maxLine = limits.maxChunkLineBytes
        let outcome = buffer.withUnsafeBufferPointer { p -> Result<(size: Int, end: Int)?, HTTPParseError> in
            var i = from
            while i < p.count {
                if i - start >= maxLine { return .failure(.chunkLineTooLong) }
                let b = p[i]
                if b == lf {
                    guard i > start, p[i - 1] == cr else { return .failure(.bareLineFeed) }
                    return Self.parseChunkSize(p, start, i - 1).map { (size: $0, end: i + 1) }
                } else if i > start, p[i - 1] == cr {
                    return .failure(.bareCarriageReturn)
                }
                i += 1
            }
            return .success(nil)
        }
        switch outcome {
        case .failure(let error):
            throw error
        case .success(nil):
            scanned = bufferedByteCount
            return nil
        case .success(let found?):
            readIndex = found.end
            scanned = 0
            return found.size
        }
    }

    /// `chunk-size [ chunk-ext ]` in `p[start..<end]`.
    private static func parseChunkSize(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Result<Int, HTTPParseError> {
        var i = start
        var size = 0
        while i < end, let hex = PercentDecoding.hexValue(p[i]) {
            let digit = Int(hex)
            guard size <= (Int.max - digit) / 16 else { return .failure(.chunkSizeOverflow) }
            size = size * 16 + digit
            i += 1
        }
        guard i > start else { return .failure(.invalidChunkSize) }
        while i < end, HTTPByteClass.isWhitespace(p[i]) { i += 1 }
        guard i < end else { return .success(size) }
        // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): accepted without interpretation.
        guard p[i] == UInt8(ascii: ";") else { return .failure(.invalidChunkSize) }
        while i < end {
            guard HTTPByteClass.isFieldValueByte(p[i]) else { return .failure(.invalidChunkSize) }
            i += 1
        }
        return .success(size)
    }
}
