// libFuzzer target: ThreadMeterApp's QueryRequest.decode (the body of POST /v1/query) on arbitrary
// bytes, checked against the contract's rules and Foundation's JSON reader; and JSONReader.readMembers
// against JSONReader.read. Built by LoadTests/Fuzz/run.sh.
import Foundation

/// Input layout: byte 0 picks the Content-Type; the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryRequestDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let contentTypes: [String?] = [nil, "application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json", "text/plain"]
    let contentType = contentTypes[Int(data[0]) % contentTypes.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    // 0. Reading a few members (the upstream stream events' fast path) agrees with reading the whole text.
    let options = JSONReader.Options(duplicateKeys: .refusedAtTopLevel)
    let full = try? JSONReader.read(body, options: options)
    let some = try? JSONReader.readMembers(body, named: ["query", "threadId"], options: options)
    if let full, full.members != nil {
        guard let some, some[0] == full["query"], some[1] == full["threadId"] else { fatalError("readMembers disagrees with read: \(String(describing: some))") }
    } else if some != nil {
        fatalError("readMembers accepted a text read refuses or that is not an object")
    }

    let outcome = QueryDecodingOutcome(contentType: contentType, body: body)

    // 1. Only the documented refusals: 400 for the body, 415 for the media type.
    if case .refused(let error) = outcome {
        guard error.status == 400 || error.status == 415 else { fatalError("refused with status \(error.status): \(error.message)") }
        guard !error.message.isEmpty, !error.code.rawValue.isEmpty else { fatalError("refusal without a code or message") }
    }
    if contentType == "text/plain" {
        guard case .refused(let error) = outcome, error.status == 415 else { fatalError("text/plain body was not refused with 415") }
        return 0
    }
    // 2. The media type does not change how a JSON body is read.
    let without = QueryDecodingOutcome(contentType: nil, body: body)
    guard without.sameAs(outcome) else { fatalError("Content-Type \(String(describing: contentType)) changed the outcome: \(outcome) vs \(without)") }

    // 3. What is not JSON (per Foundation's reader) or not UTF-8 is refused.
    if String(validating: body, as: UTF8.self) == nil, case .accepted(let request) = outcome {
        fatalError("accepted a body that is not UTF-8: \(request)")
    }
    if QueryDecodingOutcome.nestingDepth(body) < 256, (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) == nil,
       case .accepted(let request) = outcome {
        fatalError("accepted a body Foundation does not read as JSON: \(request)")
    }

    // 4. An accepted request obeys the contract, and its canonical JSON decodes to the same request.
    guard case .accepted(let request) = outcome else { return 0 }
    guard !request.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { fatalError("accepted an empty query") }
    if let threadId = request.threadId {
        let wellFormed = (1...64).contains(threadId.utf8.count) && threadId.utf8.allSatisfy { b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
        }
        guard wellFormed else { fatalError("accepted threadId \(threadId.debugDescription)") }
    }
    for text in [request.demandStage, request.accountName, request.additionalInstructions] {
        if let text, text.isEmpty { fatalError("an empty optional field was kept instead of dropped") }
    }
    var canonical: [String: Any] = ["query": request.query, "stream": request.stream]
    canonical["threadId"] = request.threadId
    canonical["demand_stage"] = request.demandStage
    canonical["accountName"] = request.accountName
    canonical["additional_instructions"] = request.additionalInstructions
    guard let encoded = try? JSONSerialization.data(withJSONObject: canonical) else { fatalError("accepted request cannot be re-encoded") }
    guard case .accepted(let again) = QueryDecodingOutcome(contentType: "application/json", body: Array(encoded)), again == request else {
        fatalError("canonical re-encoding decodes differently: \(request) → \(String(decoding: encoded, as: UTF8.self))")
    }
    return 0
}

/// The result of one decode, comparable.
enum QueryDecodingOutcome: CustomStringConvertible {
    case accepted(QueryRequest)
    case refused(APIError)

    init(contentType: String?, body: [UInt8]) {
        do {
            self = .accepted(try QueryRequest.decode(contentType: contentType, body: body))
        } catch {
            self = .refused(error)
        }
    }

    func sameAs(_ other: QueryDecodingOutcome) -> Bool {
        switch (self, other) {
        case (.accepted(let a), .accepted(let b)): a == b
        case (.refused(let a), .refused(let b)): a.status == b.status && a.code == b.code
        default: false
        }
    }

    var description: String {
        switch self {
        case .accepted(let request): "accepted \(request)"
        case .refused(let error): "refused \(error.status) \(error.code): \(error.message)"
        }
    }

    /// Deepest bracket nesting outside strings (Foundation's reader is only consulted below a depth).
    static func nestingDepth(_ body: [UInt8]) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for b in body {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x5B, 0x7B: depth += 1; deepest = max(deepest, depth)
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return deepest
    }
}
