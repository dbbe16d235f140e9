import Contracts
import Foundation
import RPC
import ServiceKit
import Wire

/// C8: runs people's erasures in the background, oldest first, all that are running in
/// each round (one waiting for a subscriber holds none of the others). Each pass asks every
/// service whose step is not done (contacts only once all the others are), keeps each
/// answer, and comes back later for a service that was down or still had events about
/// the person waiting for a subscriber. A restart picks the erasure up where it stood:
/// every service's erasure finds nothing more to do the second time.
final class ErasureRunner: BackgroundService, Sendable {
    /// How long one service may take over its part.
    static let stepTimeout: Duration = .seconds(120)
    /// How long before a step not done is tried again.
    static let retryAfter: Duration = .seconds(2)

    let erasures: PersonErasures
    let services: ServiceClients
    let telephony: TelephonyReplicas?
    let own: GatewayErasure
    let logger: Logger
    private let loop = BackgroundLoop()

    init(erasures: PersonErasures, services: ServiceClients, telephony: TelephonyReplicas?, own: GatewayErasure, logger: Logger) {
        self.erasures = erasures
        self.services = services
        self.telephony = telephony
        self.own = own
        self.logger = logger
    }

    func start() { loop.start { [self] in await run() } }
    func stop() async { await loop.stop() }
    /// An erasure was asked for.
    func wake() { loop.wake() }

    /// Erasures taken in one round: one waiting on a subscriber never holds the others back.
    static let round = 100

    private func run() async {
        while !Task.isCancelled {
            do {
                var finished = 0
                let running = try await erasures.running(limit: Self.round)
                for erasure in running where try await pass(erasure).state == .done { finished += 1 }
                // Something finished, or a full round: look again at once.
                if finished > 0 || running.count == Self.round { continue }
            } catch is CancellationError {
                return
            } catch {
                logger.error("erasure runner", ["error": "\(error)"])
            }
            await loop.wait(upTo: Self.retryAfter)
        }
    }

    /// One try at every step not done; returns the erasure as kept after it.
    @discardableResult
    func pass(_ started: PersonErasure) async throws -> PersonErasure {
        var erasure = started
        guard let person = erasure.person else { return try await erasures.save(erasure) }
        for index in erasure.steps.indices where !erasure.steps[index].done {
            let service = erasure.steps[index].service
            if service == "contacts", erasure.steps.contains(where: { !$0.done && $0.service != "contacts" }) { continue }
            erasure.steps[index].attempts += 1
            do {
                let report = try await erase(person, in: service)
                // Each attempt erases what the ones before left: the step's report is their sum.
                var counts: [String: Int64] = [:]
                for count in erasure.steps[index].report.erased + report.erased { counts[count.kind, default: 0] += count.count }
                erasure.steps[index].report = ErasureReport(counts, waiting: report.waiting)
                if report.waiting > 0 {
                    erasure.steps[index].lastError = "\(report.waiting) events about the person still wait for a subscriber"
                } else {
                    erasure.steps[index].done = true
                    erasure.steps[index].lastError = ""
                    erasure.steps[index].finishedAtMilliseconds = erasures.milliseconds
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                erasure.steps[index].lastError = "\(error)"
                logger.warn("erasure step not done", ["erasure": "\(erasure.id)", "service": service, "error": "\(error)"])
            }
            erasure = try await erasures.save(erasure)
        }
        if erasure.state == .done { logger.info("person erased", ["erasure": "\(erasure.id)", "contact": "\(erasure.contactID)"]) }
        return erasure
    }

    /// `service`'s part; a service this gateway is not configured with holds nothing.
    func erase(_ person: ErasePersonRequest, in service: String) async throws -> ErasureReport {
        let options = CallOptions(timeout: Self.stepTimeout)
        switch service {
        case "gateway":
            return try await own.erase(person)
        case "telephony":
            guard let telephony else { return ErasureReport() }
            var counts: [String: Int64] = [:], waiting: Int64 = 0
            for (_, index) in telephony.all {
                let report = try await telephony.client(index).call(Telephony.erasePerson, person, options: options)
                for count in report.erased { counts[count.kind, default: 0] += count.count }
                waiting += report.waiting
            }
            return ErasureReport(counts, waiting: waiting)
        default:
            guard let client = services.configured(named: service) else { return ErasureReport() }
            switch service {
            case "contacts": return try await client.call(Contacts.erasePerson, person, options: options)
            case "deals": return try await client.call(Deals.erasePerson, person, options: options)
            case "scheduling": return try await client.call(Scheduling.erasePerson, person, options: options)
            case "notifications": return try await client.call(Notifications.erasePerson, person, options: options)
            case "billing": return try await client.call(Billing.erasePerson, person, options: options)
            default: throw RPCError(.internal, "no erasure step for \(service)")
            }
        }
    }
}
