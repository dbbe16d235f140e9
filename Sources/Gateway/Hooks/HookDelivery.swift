import Contracts
import RPC
import Wire

/// What a stored hook becomes: one call to the service that owns what it reports. The
/// translation is the provider's adapter's; the rules are the service's.
enum HookDelivery: Sendable {
    case attendance(AttendanceReport)

    /// Translates a hook of `kind`; a refusal is kept with the hook.
    static func translate(_ kind: IntegrationKind, body: [UInt8]) throws(HookRefusal) -> HookDelivery {
        switch kind {
        case .timepad:
            return .attendance(try TimepadAdapter.report(fromHook: body))
        case .ringostat, .cloudpayments, .whatsapp, .amocrm, .bitrix24, .unspecified:
            throw HookRefusal("no service takes \(kind.name) hooks yet (telephony, billing and messaging are still to come); it is kept and can be replayed then")
        }
    }

    /// The contract service id it goes to.
    var service: String {
        switch self {
        case .attendance: Contacts.service
        }
    }

    func send(with client: RPCClient, options: CallOptions) async throws(RPCError) {
        switch self {
        case let .attendance(report): _ = try await client.call(Contacts.recordAttendance, report, options: options)
        }
    }
}
