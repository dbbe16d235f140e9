import Contracts
import Foundation
import RPC
import ServiceKit
import Synchronization
import Wire

/// Hands each stored hook to the service that owns it (G2): at least once, in the order
/// they arrived per service. A service that is down or busy holds its hooks (retried
/// with backoff) while the others' flow; a hook that cannot be translated or that its
/// service refuses is marked failed with the reason, for an admin to replay.
final class HookRelay: BackgroundService {
    struct Progress: Sendable {
        var delivered = 0
        var failed = 0
        var retries = 0
    }

    private let store: HookStore
    private let targets: HookTargets
    private let logger: Logger
    private let callTimeout: Duration
    /// G7: applies amoCRM's and Bitrix24's hooks while both systems run.
    private let mirror: CRMMirror?
    private let loop = BackgroundLoop()
    private let state = Mutex(Progress())

    init(store: HookStore, targets: HookTargets, logger: Logger, callTimeout: Duration = .seconds(10), mirror: CRMMirror? = nil) {
        self.mirror = mirror
        self.store = store
        self.targets = targets
        self.logger = logger
        self.callTimeout = callTimeout
    }

    var progress: Progress { state.withLock { $0 } }

    /// A hook was stored or put back: look now rather than at the next idle pass.
    func wake() { loop.wake() }

    func start() {
        loop.start { [self] in await run() }
    }

    func stop() async {
        await loop.stop()
    }

    private func run() async {
        var backoffs: [String: ConnectionBackoff] = [:]
        var blockedUntil: [String: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            let pending: [StoredHook]
            do {
                pending = try await store.pending(afterID: 0, limit: 500)
            } catch {
                logger.error("cannot read stored hooks", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            var progressed = false
            var translations: [Int64: Result<HookDelivery, HookRefusal>] = [:]
            func translation(_ hook: StoredHook) -> Result<HookDelivery, HookRefusal> {
                if let known = translations[hook.id] { return known }
                let result: Result<HookDelivery, HookRefusal>
                do {
                    result = .success(try HookDelivery.translate(hook.kind, contentType: hook.contentType, body: hook.body, origin: hook.origin, numbers: targets.telephony?.numbers, paymentOpens: hook.paymentOpens, integrationID: hook.integrationID))
                } catch {
                    result = .failure(error)
                }
                translations[hook.id] = result
                return result
            }
            var i = 0
            passing: while i < pending.count && !Task.isCancelled {
                let hook = pending[i]
                do {
                    let first: HookDelivery
                    switch translation(hook) {
                    case let .failure(refusal):
                        try await store.failed([hook.id], reason: refusal.description)
                        logger.warn("hook kept: cannot be translated", ["hook": "\(hook.id)", "kind": hook.kind.name, "reason": refusal.description])
                        state.withLock { $0.failed += 1 }
                        progressed = true
                        i += 1
                        continue
                    case let .success(delivery): first = delivery
                    }
                    let service: String
                    do {
                        service = try first.target(targets).key
                    } catch {
                        try await store.failed([hook.id], reason: error.description)
                        state.withLock { $0.failed += 1 }
                        progressed = true
                        i += 1
                        continue
                    }
                    // Its service is backing off: this hook waits, so order holds.
                    if let until = blockedUntil[service], until > .now {
                        i += 1
                        continue
                    }
                    // The hooks right after it that say the same kind of thing go in one call
                    // (one transaction at the service): a backlog drains in batches.
                    var batch = first
                    var ids = [hook.id]
                    var j = i + 1
                    while j < pending.count, ids.count < Self.maxBatch, case let .success(next) = translation(pending[j]), batch.absorb(next) {
                        ids.append(pending[j].id)
                        j += 1
                    }
                    var outcome = try await deliver(batch, ids: ids)
                    if case .refused = outcome, ids.count > 1 {
                        // One of them is refused: find it by sending them one at a time.
                        for k in i..<j {
                            guard case let .success(single) = translation(pending[k]) else { continue }
                            outcome = try await deliver(single, ids: [pending[k].id])
                            if case .waiting = outcome { break }
                        }
                    }
                    if case .waiting = outcome {
                        var backoff = backoffs[service] ?? ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(30))
                        blockedUntil[service] = .now + backoff.next()
                        backoffs[service] = backoff
                    } else {
                        backoffs[service]?.reset()
                        blockedUntil[service] = nil
                    }
                    progressed = true
                    i = j
                } catch {
                    logger.error("cannot record a hook's outcome", ["hook": "\(hook.id)", "error": "\(error)"])
                    await loop.wait(upTo: .seconds(1))
                    break passing
                }
            }
            if progressed && pending.count == 500 { continue }
            let nextUnblock = blockedUntil.values.filter { $0 > .now }.min()
            let idle: Duration = progressed ? .milliseconds(1) : .seconds(1)
            await loop.wait(upTo: nextUnblock.map { min(idle, $0 - .now) } ?? idle)
        }
    }

    /// Most hooks handed over in one call.
    static let maxBatch = 500

    enum Outcome {
        case delivered
        /// The service could not be reached: they stay pending.
        case waiting
        case refused
    }

    /// Sends one call for the hooks `ids` and records what became of them.
    private func deliver(_ delivery: HookDelivery, ids: [Int64]) async throws -> Outcome {
        var metadata = Metadata()
        metadata[Metadata.Key.caller] = "gateway"
        metadata[Metadata.Key.requestID] = "hook-\(ids[0])"
        let service: String
        var refusal: RPCError?
        do {
            let target = try delivery.target(targets)
            service = target.key
            do throws(RPCError) {
                let options = CallOptions(timeout: callTimeout, metadata: metadata)
                if case let .mirror(hook) = delivery {
                    guard let mirror else { throw RPCError(.failedPrecondition, "this gateway applies no CRM hooks") }
                    try await mirror.apply(hook, options: options)
                } else {
                    try await delivery.send(with: target.client, options: options)
                }
            } catch {
                refusal = error
            }
        } catch {
            try await store.failed(ids, reason: error.description)
            state.withLock { $0.failed += ids.count }
            return .refused
        }
        switch refusal {
        case nil:
            try await store.delivered(ids)
            state.withLock { $0.delivered += ids.count }
            return .delivered
        // A failure of the moment (Status.Code.isMomentary, as for events): the hook stays
        // pending and its service backs off.
        case let error? where error.code.isMomentary:
            try await store.attemptFailed(ids, reason: error.description)
            state.withLock { $0.retries += ids.count }
            logger.warn("hooks wait for their service", ["hooks": "\(ids.count)", "first": "\(ids[0])", "service": service, "error": error.description])
            return .waiting
        case let error?:
            // A batch refused is narrowed by the caller; only a single hook is marked.
            if ids.count == 1 {
                try await store.failed(ids, reason: "\(error.code.name): \(error.message)")
                logger.warn("hook refused by its service; kept for replay", ["hook": "\(ids[0])", "service": service, "error": error.description])
                state.withLock { $0.failed += 1 }
            }
            return .refused
        }
    }
}
