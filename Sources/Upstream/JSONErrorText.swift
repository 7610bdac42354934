// Short, readable descriptions of JSON reading failures for upstream error messages.
import JSONText

/// Short descriptions of reading errors.
enum JSONErrorText {
    static func describe(_ error: JSONReadError) -> String {
        switch error.reason {
        case .syntax(let what): "not JSON (\(what) at byte \(error.offset))"
        case .duplicateKey(let name): "member \"\(name)\" appears more than once"
        case .tooDeep(let limit): "nested deeper than \(limit)"
        }
    }
}
