import Contracts
import Foundation
@testable import NotificationsService
import RPC
import ServiceKit
import Sockets
import Storage
import Testing
import TestSupport
import Wire

/// What a send does when the services it reads from do not answer (issue 24 item 5).
@Suite struct OutboundSenderTests {
    static func server() -> RPCServer {
        var configuration = RPCServer.Configuration()
        configuration.log = { _, _ in }
        return RPCServer(configuration: configuration)
    }

    static func sender(deals: RPCServer, contacts: RPCServer) throws -> OutboundSender {
        let folder = try temporaryFolder("sender")
        let database = try Database(path: folder.appendingPathComponent("notifications.sqlite").path, migrations: NotificationsSchema.migrations)
        var once = RPCClient.Configuration()
        once.retry = .none
        return OutboundSender(
            database: database, contacts: RPCClient(inProcess: contacts, name: "contacts", configuration: once),
            deals: RPCClient(inProcess: deals, name: "deals", configuration: once), logger: Logger(service: "test", write: { _ in }), clock: .system,
            outbound: OutboundPolicy())
    }

    /// N3: an appointment's message to the deal's responsible, with deals down, is tried
    /// again later; before, it was skipped for good as "nobody responsible".
    @Test func n3AMessageForADealsResponsibleWaitsWhileDealsIsDownAndIsNeverSkippedForIt() async throws {
        let deals = Self.server(), contacts = Self.server()
        deals.register(Deals.getDeal) { request, _ in
            var deal = Deal()
            deal.id = request.id
            deal.responsibleID = 5
            return deal
        }
        deals.register(Deals.listPipelines) { _, _ in PipelineList() }
        contacts.register(Contacts.getStaff) { request, _ in
            var staff = StaffMember()
            staff.id = request.id
            staff.firstName = "Olga"
            return staff
        }
        var appointment = Appointment()
        appointment.id = 7
        appointment.dealID = 3
        var rule = NotificationRule()
        rule.id = 1
        rule.eventType = Scheduling.Event.booked
        rule.recipient = .responsible
        rule.channel = .email
        var template = MessageTemplate()
        template.channel = .email
        template.eventType = Scheduling.Event.booked
        template.body = "Booked for {{responsible.first_name}}"
        var settings = ChannelSettings()
        settings.channel = .email
        settings.baseURL = "smtp://127.0.0.1:1"
        func send(_ sender: OutboundSender) async -> OutboundSender.Outcome {
            var message = OutboundMessage()
            message.ruleID = 1
            message.eventType = Scheduling.Event.booked
            message.channel = .email
            return await sender.prepareAndSend(&message, payload: appointment.wireBytes(), rule: rule, template: template, settings: settings, now: 0)
        }

        // Deals answering: the responsible is found through the deal, and has no email.
        let up = await send(try Self.sender(deals: deals, contacts: contacts))
        guard case let .skipped(reason) = up else { Issue.record("\(up)"); return }
        #expect(reason == "no email address for the recipient")

        await deals.shutdown(gracePeriod: .zero)
        let down = await send(try Self.sender(deals: deals, contacts: contacts))
        guard case let .failed(why, retry) = down else { Issue.record("expected a failure to retry, got \(down)"); return }
        #expect(retry && why.contains("cannot look up the recipient"), "\(why)")
        await contacts.shutdown(gracePeriod: .zero)
    }
}
