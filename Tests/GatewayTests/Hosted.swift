import BillingService
import ContactsService
import DealsService
import Foundation
import Gateway
import NotificationsService
import SchedulingService
import ServiceKit
import TelephonyService
import TestSupport

/// One process of a test system: hosted in the test's process (ServiceHost.start, as
/// its executable runs it), or a real process where the test needs one (kill -9,
/// SIGSTOP, an exit status).
final class Hosted: Sendable {
    private let running: RunningService?
    private let log: LogLines?
    private let real: ServiceProcess?
    let port: Int
    let adminPort: Int

    /// Starts `definition` with `environment` alone (nothing from the test's own
    /// environment); as `executable` in a process of its own when `process` is true.
    static func start(_ definition: some HostedProcess, executable: String, environment: [String: String], process: Bool) async throws -> Hosted {
        if process { return Hosted(real: try await ServiceProcess(executable: executable, environment: environment)) }
        let log = LogLines()
        // Mutual TLS from the test process's CA, as a process started by ServiceProcess gets it.
        var defaults = TestPKI.environment
        if definition is GatewayDefinition {
            // A gateway's extra event-loop threads outlive its stop: one loop, unless asked.
            // Its budget and deals' wait for contacts are 15 s unless a test sets its own: every
            // service here shares the test process, and a loaded suite once took longer than the
            // defaults (5 s, 2 s) to answer a first request (504) or a lead (202, pending).
            defaults.merge(["GATEWAY_REACTORS": "1", "GATEWAY_PASSWORD_LOG_N": "10", "GATEWAY_TIMEOUT_MS": "15000"]) { $1 }
        }
        if definition.service == "deals" { defaults["DEALS_LEAD_WAIT_MS"] = "15000" }
        let environment = defaults.merging(environment) { $1 }
        let running = try await ServiceHost.start(definition, environment: environment, logger: Logger(service: definition.service, write: log.append))
        return Hosted(running: running, log: log)
    }

    /// Starts the process `executable` runs (`switchboard-deals`), in the test's process
    /// unless `process` is true.
    static func start(executable: String, environment: [String: String], process: Bool = false) async throws -> Hosted {
        let definition: any HostedProcess =
            switch executable {
            case "switchboard-contacts": ServiceDefinition.contacts
            case "switchboard-deals": ServiceDefinition.deals
            case "switchboard-telephony": ServiceDefinition.telephony
            case "switchboard-scheduling": ServiceDefinition.scheduling
            case "switchboard-billing": ServiceDefinition.billing
            case "switchboard-notifications": ServiceDefinition.notifications
            case "switchboard-gateway": GatewayDefinition()
            default: preconditionFailure("no definition for \(executable)")
            }
        return try await start(definition, executable: executable, environment: environment, process: process)
    }

    private init(real: ServiceProcess) {
        self.real = real
        running = nil
        log = nil
        port = real.port
        adminPort = real.adminPort
    }

    private init(running: RunningService, log: LogLines) {
        self.running = running
        self.log = log
        real = nil
        port = running.port
        adminPort = running.adminPort
    }

    /// Its log (stderr of a process).
    var logged: String { real?.logged ?? log?.all ?? "" }

    /// The process, for a test that signals it; started with `process: true`.
    var process: ServiceProcess {
        guard let real else { preconditionFailure("this test signals a process: start its system with processes: true") }
        return real
    }

    /// Stops it as SIGTERM does: calls in flight finish, the database is checkpointed.
    func stop() async throws {
        if let running {
            await running.stop()
        } else if let real {
            real.signal(SIGCONT)
            real.signal(SIGTERM)
            _ = try await real.waitForExit()
        }
    }
}
