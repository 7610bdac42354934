// Head, chunk-size and trailer lines of a response: strict CRLF, bounded lengths.

extension HTTPResponseParser {
    /// Accumulates head bytes from `start`; parses the head once its empty line arrived.
    /// Returns the index after the bytes consumed. The bytes are checked in one pass and appended
    /// to `buffer` in one copy.
    mutating func scanHead(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into events: inout [Event]) throws(HTTPResponseParseError) -> Int {
        let limit = maxHeadBytes - headBytes
        var total = buffer.count
        // The two bytes before the current one (the head so far included).
        var previous = buffer.last
        var beforePrevious = buffer.count >= 2 ? buffer[buffer.count - 2] : nil
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            try Self.checkLineEnding(byte, after: previous)
            total += 1
            guard total <= limit else { throw .headTooLarge(limit: maxHeadBytes) }
            if byte == HTTPByteClass.lf, total >= 4, beforePrevious == HTTPByteClass.lf {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                try completeHead(into: &events)
                return index
            }
            beforePrevious = previous
            previous = byte
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        return index
    }

    /// Accumulates a chunk-size or trailer line from `start` and handles it once complete.
    mutating func scanLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into events: inout [Event]) throws(HTTPResponseParseError) -> Int {
        var previous = buffer.last
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            try Self.checkLineEnding(byte, after: previous)
            guard buffer.count + (index - start) <= maxLineBytes + 2 else { throw .chunkLineTooLong }
            if byte == HTTPByteClass.lf {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                let line = Array(buffer.dropLast(2))
                buffer.removeAll(keepingCapacity: true)
                if state == .chunkSize {
                    try handleChunkSize(line, into: &events)
                } else {
                    try handleTrailer(line, into: &events)
                }
                return index
            }
            previous = byte
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        return index
    }

    /// Refuses a LF without a preceding CR and a CR followed by anything but LF.
    @inline(__always)
    private static func checkLineEnding(_ byte: UInt8, after previous: UInt8?) throws(HTTPResponseParseError) {
        let previousIsCR = previous == HTTPByteClass.cr
        if byte == HTTPByteClass.lf, !previousIsCR { throw .invalidLineEnding }
        if previousIsCR, byte != HTTPByteClass.lf { throw .invalidLineEnding }
    }

    private mutating func handleChunkSize(_ line: [UInt8], into events: inout [Event]) throws(HTTPResponseParseError) {
        var size = 0
        var index = 0
        while index < line.count, let digit = Self.hexValue(line[index]) {
            guard size <= (Int.max - digit) / 16 else { throw .invalidChunkSize }
            size = size * 16 + digit
            index += 1
        }
        guard index > 0 else { throw .invalidChunkSize }
        // Optional extensions: BWS ";" …, ignored; nothing else may follow the size.
        while index < line.count, HTTPByteClass.isWhitespace(line[index]) { index += 1 }
        if index < line.count {
            guard line[index] == UInt8(ascii: ";"), line[index...].allSatisfy(HTTPByteClass.isFieldValueByte) else {
                throw .invalidChunkSize
            }
        }
        state = size == 0 ? .trailers : .chunkData(remaining: size)
    }

    private mutating func handleTrailer(_ line: [UInt8], into events: inout [Event]) throws(HTTPResponseParseError) {
        if line.isEmpty {
            finishBody(into: &events)
            return
        }
        trailerBytes += line.count + 2
        guard trailerBytes <= maxHeadBytes else { throw .chunkLineTooLong }
        _ = try Self.parseField(line[...])  // validated, then ignored: trailers carry nothing we use
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
