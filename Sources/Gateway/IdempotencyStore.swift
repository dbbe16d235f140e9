import HTTP

/// G5: `Idempotency-Key` on POST. The first request with a key runs; a repeat with the
/// same key and the same request gets the first answer again instead of doing the work
/// twice; the same key with a different request is refused (422); a repeat while the
/// first is still running is told to wait (409). Answers of 5xx are not kept, so a
/// retry after a server failure runs again.
///
/// Kept in the gateway's memory: at most `capacity` keys for `lifetime` seconds; the
/// ``IdempotencyLedger`` keeps finished answers across restarts and evictions.
public struct IdempotencyStore: Sendable {
    public enum Decision: Sendable {
        case proceed
        case replay(HTTPResponse)
        case inProgress
        case mismatch
    }

    private enum Entry {
        case running(fingerprint: UInt64, started: Double)
        case done(fingerprint: UInt64, response: HTTPResponse, at: Double)

        var time: Double {
            switch self {
            case let .running(_, t), let .done(_, _, t): t
            }
        }
    }

    public let capacity: Int
    public let lifetime: Double
    private var entries: [String: Entry] = [:]

    public init(capacity: Int = 10_000, lifetime: Double = 24 * 3600) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// `scope` separates callers (a hash of their API key), so one caller's keys never
    /// replay another's answers.
    public mutating func begin(scope: String, key: String, fingerprint: UInt64, now: Double) -> Decision {
        let id = scope + "\u{0}" + key
        if let entry = entries[id], now - entry.time < lifetime {
            switch entry {
            case let .running(f, _): return f == fingerprint ? .inProgress : .mismatch
            case let .done(f, response, _):
                guard f == fingerprint else { return .mismatch }
                return .replay(response)
            }
        }
        if entries.count >= capacity {
            entries = entries.filter { now - $0.value.time < lifetime }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.time < $1.value.time })?.key {
                entries[oldest] = nil
            }
        }
        entries[id] = .running(fingerprint: fingerprint, started: now)
        return .proceed
    }

    /// Drops a running mark without an answer (the request could not be checked).
    public mutating func abandon(scope: String, key: String) {
        entries[scope + "\u{0}" + key] = nil
    }

    public mutating func finish(scope: String, key: String, fingerprint: UInt64, response: HTTPResponse, now: Double) {
        let id = scope + "\u{0}" + key
        entries[id] = response.status >= 500 ? nil : .done(fingerprint: fingerprint, response: response, at: now)
    }

    /// FNV-1a 64 of the method, path and body: what "the same request" means.
    public static func fingerprint(method: String, path: String, body: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(method.utf8) + [0] + Array(path.utf8) + [0] + body {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
