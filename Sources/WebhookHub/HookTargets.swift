import Contracts
import RPC

/// Where the hub hands hooks on: the host's clients of the services behind it. The
/// gateway builds it from its own clients, so the hub never opens connections of its own.
public struct HookTargets: Sendable {
    /// Telephony as the hub needs it: numbers in the deployment's form, and the replica
    /// owning a client's number (T1: one replica per number, rendezvous-hashed).
    public struct Telephony: Sendable {
        public let numbers: CallNumber
        /// The replica for a normalized number: its stable name and its client.
        public let replica: @Sendable (_ number: String) -> (name: String, client: RPCClient)

        public init(numbers: CallNumber, replica: @escaping @Sendable (_ number: String) -> (name: String, client: RPCClient)) {
            self.numbers = numbers
            self.replica = replica
        }
    }

    /// The client of a service by its contract's id (`Contacts.service` ...).
    public let service: @Sendable (_ id: String) -> RPCClient
    /// Nil when the deployment runs no telephony: call hooks wait, failed, for a replay.
    public let telephony: Telephony?

    public init(service: @escaping @Sendable (_ id: String) -> RPCClient, telephony: Telephony?) {
        self.service = service
        self.telephony = telephony
    }
}
