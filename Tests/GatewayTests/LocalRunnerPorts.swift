import Foundation
import TestSupport

/// The ports of one `switchboard up` (each service's admin port is its port + 1000, so
/// both are reserved). Every port is chosen: a default one (7105, 7106) may be taken on
/// the machine. Kept for a restart on the same ones.
struct LocalRunnerPorts {
    let gateway = try! freePort()
    let contacts = try! freePort(withAdmin: true)
    let deals = try! freePort(withAdmin: true)
    let telephony = try! freePort(withAdmin: true)
    let scheduling = try! freePort(withAdmin: true)
    let billing = try! freePort(withAdmin: true)
    let notifications = try! freePort(withAdmin: true)

    func arguments(data: URL) -> [String] {
        [
            "up", "--data", data.path, "--port", "\(gateway)", "--contacts-port", "\(contacts)", "--deals-port", "\(deals)",
            "--telephony", "1", "--telephony-port", "\(telephony)", "--scheduling-port", "\(scheduling)",
            "--billing-port", "\(billing)", "--notifications-port", "\(notifications)",
        ]
    }
}
