import Contracts
import RPC

/// N5: the alert metrics that are other services' figures at the moment rather than
/// events counted here — the dialing queue (each telephony replica's queue counts) and
/// payments stuck in attempt (billing's follow-up list). A service that does not answer
/// leaves its metric out of the reading: its alerts keep their state until the next check.
public struct ServiceStatistics: Sendable {
    let telephony: [RPCClient]
    let billing: RPCClient?

    public init(telephony: [RPCClient], billing: RPCClient?) {
        self.telephony = telephony
        self.billing = billing
    }

    /// The most stuck payments counted (one page of billing's list).
    static let paymentsCounted: Int64 = 500

    /// The metrics of `wanted` this type reads, as they are now.
    public func read(_ wanted: Set<AlertMetric>) async -> [AlertMetric: Int64] {
        var out: [AlertMetric: Int64] = [:]
        let options = CallOptions(timeout: .seconds(5))
        if wanted.contains(.dialingQueue), !telephony.isEmpty {
            var ready: Int64 = 0
            var answered = true
            for replica in telephony {
                guard let counts = try? await replica.call(Telephony.queueCounts, DialerSettingsRequest(), options: options) else { answered = false; break }
                ready += counts.ready
            }
            if answered { out[.dialingQueue] = ready }
        }
        if wanted.contains(.stuckPayments), let billing,
           let page = try? await billing.call(Billing.listPayments, ListPaymentsRequest(status: .attempt, staleOnly: true, pageSize: Self.paymentsCounted), options: options) {
            out[.stuckPayments] = Int64(page.payments.count)
        }
        return out
    }
}
