// Validating a budget from the admin API: scope and key from the path, limits from the body (§9).
import JSONText
import Metering
import Upstream

/// Parses `PUT /admin/budgets/{scope}/{key}`; every problem is a 400 naming its field.
enum BudgetInput {
    /// Members of the budget object that a client may send back unchanged; they are ignored.
    static let readOnlyMembers: Set<String> = [
        "scope", "key", "used_tokens", "used_usd", "remaining_tokens", "remaining_usd", "unpriced_runs", "resets_at", "warning",
    ]

    /// The scope of a path segment.
    static func scope(_ text: String) throws(APIError) -> BudgetScope {
        guard let scope = BudgetScope(rawValue: text) else {
            throw .badField("scope", "must be thread, account or global")
        }
        return scope
    }

    /// The key of a path segment (already percent-decoded once), checked for its scope.
    static func key(_ key: String, scope: BudgetScope) throws(APIError) -> String {
        switch scope {
        case .thread:
            guard key == Budget.defaultKey || ThreadIdentifier.isWellFormed(key) else {
                throw .badField("key", "a thread key is * or matches ^[A-Za-z0-9_-]{1,64}$")
            }
        case .account:
            guard (1...128).contains(key.count), !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .badField("key", "an account key is 1-128 characters without control characters (percent-encoded in the path)")
            }
        case .global:
            guard key == Budget.globalKey else { throw .badField("key", "the global scope takes only the key all") }
        }
        return key
    }

    /// The budget a PUT body describes (replacing any existing one: absent limits are unset).
    static func budget(scope: BudgetScope, key: String, body: [UInt8]) throws(APIError) -> Budget {
        let value: JSONValue
        do {
            value = try JSONReader.read(body)
        } catch {
            throw .badField("body", "must be a JSON object (\(error))")
        }
        guard let members = value.members else { throw .badField("body", "must be a JSON object") }
        var window: BudgetWindow?
        var maxTokens: Int?
        var maxUSD: Double?
        var warnAt = Budget.defaultWarnAt
        for (name, member) in members {
            switch name {
            case "window":
                guard let text = member.stringValue, let parsed = BudgetWindow(rawValue: text) else {
                    throw .badField("window", "must be \"day\", \"month\" or \"total\"")
                }
                window = parsed
            case "max_tokens":
                if member.isNull { continue }
                guard case .int(let n) = member, n > 0 else { throw .badField("max_tokens", "must be an integer > 0") }
                maxTokens = n
            case "max_usd":
                if member.isNull { continue }
                guard !(member.boolValue != nil), let usd = member.doubleValue, usd.isFinite, usd > 0 else {
                    throw .badField("max_usd", "must be a number > 0")
                }
                maxUSD = usd
            case "warn_at":
                if member.isNull { continue }
                guard let fraction = member.doubleValue, fraction > 0, fraction <= 1 else {
                    throw .badField("warn_at", "must be a number with 0 < warn_at <= 1")
                }
                warnAt = fraction
            default:
                guard readOnlyMembers.contains(name) else { throw .badField(name, "unknown field") }
            }
        }
        guard let window else { throw .badField("window", "is required: \"day\", \"month\" or \"total\"") }
        guard maxTokens != nil || maxUSD != nil else {
            throw .badField("max_tokens", "at least one limit is required: max_tokens and/or max_usd")
        }
        return Budget(scope: scope, key: key, window: window, maxTokens: maxTokens, maxUSD: maxUSD, warnAt: warnAt)
    }
}
