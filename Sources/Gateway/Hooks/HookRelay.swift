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
    private let services: ServiceClients
    private let logger: Logger
    private let callTimeout: Duration
    private let loop = BackgroundLoop()
    private let state = Mutex(Progress())

    init(store: HookStore, services: ServiceClients, logger: Logger, callTimeout: Duration = .seconds(10)) {
        self.store = store
        self.services = services
        self.logger = logger
        self.callTimeout = callTimeout
    }

    var progress: Progress { state.withLock { $0 } }

    /// Failures of the moment: the hook stays pending and its service backs off.
    static let transient: [Status.Code] = [.unavailable, .deadlineExceeded, .resourceExhausted, .aborted, .cancelled]

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
            for hook in pending where !Task.isCancelled {
                do {
                    let delivery: HookDelivery
                    do {
                        delivery = try HookDelivery.translate(hook.kind, contentType: hook.contentType, body: hook.body)
                    } catch {
                        try await store.failed(hook.id, reason: error.description)
                        logger.warn("hook kept: cannot be translated", ["hook": "\(hook.id)", "kind": hook.kind.name, "reason": error.description])
                        state.withLock { $0.failed += 1 }
                        progressed = true
                        continue
                    }
                    let service = delivery.service
                    // Its service is backing off: this hook waits, so order holds.
                    if let until = blockedUntil[service], until > .now { continue }
                    var metadata = Metadata()
                    metadata[Metadata.Key.caller] = "gateway"
                    metadata[Metadata.Key.requestID] = "hook-\(hook.id)"
                    var refusal: RPCError?
                    do throws(RPCError) {
                        try await delivery.send(with: services.client(for: service), options: CallOptions(timeout: callTimeout, metadata: metadata))
                    } catch {
                        refusal = error
                    }
                    switch refusal {
                    case nil:
                        try await store.delivered(hook.id)
                        backoffs[service]?.reset()
                        blockedUntil[service] = nil
                        state.withLock { $0.delivered += 1 }
                    case let error? where Self.transient.contains(error.code):
                        try await store.attemptFailed(hook.id, reason: error.description)
                        var backoff = backoffs[service] ?? ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(30))
                        blockedUntil[service] = .now + backoff.next()
                        backoffs[service] = backoff
                        state.withLock { $0.retries += 1 }
                        logger.warn("hook waits for its service", ["hook": "\(hook.id)", "service": service, "error": error.description])
                    case let error?:
                        try await store.failed(hook.id, reason: "\(error.code.name): \(error.message)")
                        logger.warn("hook refused by its service; kept for replay", ["hook": "\(hook.id)", "service": service, "error": error.description])
                        state.withLock { $0.failed += 1 }
                    }
                    progressed = true
                } catch {
                    logger.error("cannot record a hook's outcome", ["hook": "\(hook.id)", "error": "\(error)"])
                    await loop.wait(upTo: .seconds(1))
                    break
                }
            }
            if progressed && pending.count == 500 { continue }
            let nextUnblock = blockedUntil.values.filter { $0 > .now }.min()
            let idle: Duration = progressed ? .milliseconds(1) : .seconds(1)
            await loop.wait(upTo: nextUnblock.map { min(idle, $0 - .now) } ?? idle)
        }
    }
}
