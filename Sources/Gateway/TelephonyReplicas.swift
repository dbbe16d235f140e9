import Contracts
import RPC
import Synchronization
import Wire

/// The telephony replicas the gateway routes calls to (T12): a call goes to the replica
/// that owns its number's shard (the same function every replica applies, PROTOCOL.md
/// §8); lists and statistics ask every replica and merge. A replica that is down makes
/// its numbers answer 503; the others are unaffected.
public final class TelephonyReplicas: Sendable {
    public let names: [String]
    let shards: CallShard
    /// How numbers are read (C1, the deployment's country): the owner is the normalized number's.
    public let numbers: CallNumber
    /// Per replica, one client per reactor (the first serves other threads).
    private let clients: [[RPCClient]]
    /// A replica that did not answer is skipped (503 at once) until then, so a stopped
    /// one costs its callers no wait; after it one call probes, the others still skip.
    private let health: Mutex<[(downUntil: ContinuousClock.Instant?, probing: Bool)]>
    static let pause: Duration = .seconds(2)

    public init(names: [String], clients: [[RPCClient]], shards: CallShard = CallShard(), numbers: CallNumber) {
        self.numbers = numbers
        precondition(names.count == clients.count && !names.isEmpty && clients.allSatisfy { !$0.isEmpty })
        self.names = names
        self.clients = clients
        self.shards = shards
        health = Mutex(Array(repeating: (nil, false), count: names.count))
    }

    /// Whether to skip the replica now: it did not answer lately, or another call is
    /// finding out whether it is back.
    func isDown(_ index: Int) -> Bool {
        health.withLock { h in
            guard let until = h[index].downUntil else { return false }
            if until > .now || h[index].probing { return true }
            h[index].probing = true  // this call is the probe
            return false
        }
    }

    func markDown(_ index: Int) { health.withLock { $0[index] = (.now + Self.pause, false) } }

    func markUp(_ index: Int) { health.withLock { $0[index] = (nil, false) } }

    func client(_ index: Int) -> RPCClient {
        clients[index].first { $0.reactor.isCurrent } ?? clients[index][0]
    }

    /// The replica owning `shard`.
    func owner(ofShard shard: Int) -> Int { shards.owner(of: shard, replicas: names) ?? 0 }

    /// The replica owning a normalized number.
    func owner(ofNumber number: String) -> Int { owner(ofShard: shards.of(number)) }

    /// Every replica's client with its name.
    var all: [(name: String, index: Int)] { names.enumerated().map { ($0.element, $0.offset) } }

    /// Parses `name=host:port,...`.
    public static func parse(_ text: String) -> [(name: String, endpoint: Endpoint)]? {
        var out: [(String, Endpoint)] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let endpoint = Endpoint(parsing: parts[1]), !out.contains(where: { $0.0 == parts[0] }) else { return nil }
            // The replica's certificate carries its name.
            out.append((parts[0], Endpoint(host: endpoint.host, port: endpoint.port, name: parts[0])))
        }
        return out.isEmpty ? nil : out
    }
}
