import Contracts
import Foundation
import RPC
import Storage
import Synchronization
import Wire

/// The receiving side of events (P2): serves `Events.Deliver`, and applies each event
/// of a batch in one transaction with its inbox record, so an event delivered twice
/// takes effect once. Types nobody handles are recorded and ignored: a sender may add
/// events before its subscribers care about them.
public final class EventInbox: Sendable {
    /// Applies one event inside the transaction that records it.
    public typealias Handler = @Sendable (EventEnvelope, Transaction) throws -> Void

    private let database: Database
    private let handlers = Mutex<[String: Handler]>([:])

    public init(database: Database) {
        self.database = database
    }

    /// Handles events of `type`; register before the server starts.
    public func on(_ type: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[type] = handler }
    }

    func register(on server: RPCServer) {
        server.register(Events.deliver) { [self] batch, _ in
            try await apply(batch)
            return Empty()
        }
    }

    /// Applies the batch: all of it or (when a handler throws) none of it.
    public func apply(_ batch: EventBatch) async throws {
        let handlers = self.handlers.withLock { $0 }
        try await database.write { transaction in
            for event in batch.events {
                guard !event.id.isEmpty else { throw RPCError(.invalidArgument, "an event without an id cannot be deduplicated") }
                guard try transaction.recordReceived(eventID: event.id) else { continue }
                try handlers[event.type]?(event, transaction)
            }
        }
    }
}
