import BillingService
import ContactsService
import Contracts
import DealsService
import Gateway
import NotificationsService
import SchedulingService
import ServiceKit
import TelephonyService

extension Topology.Process {
    /// The service this process runs: a switch, so a new process does not build until
    /// it has one (and so a place in the table of settings).
    var definition: ServiceDefinition {
        switch self {
        case .contacts: .contacts
        case .deals: .deals
        case .telephony: .telephony
        case .scheduling: .scheduling
        case .billing: .billing
        case .notifications: .notifications
        }
    }

    /// Every service and the gateway, in the order the table of settings lists them.
    static var hosted: [any HostedProcess] { allCases.map(\.definition) + [GatewayDefinition()] }
}
