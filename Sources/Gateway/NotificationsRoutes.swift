import Contracts
import Foundation
import HTTP
import RPC
import Wire

/// Channels, templates, rules, the send log, opt-outs and outbound webhooks (N1–N4). They
/// configure the business's messaging and log its recipients' addresses: admins only.
enum NotificationsRoutes {
    static let channels: [String: Route.PathParameter] = ["channel": .choice(NotificationChannel.allCases.filter { $0 != .unspecified }.map(\.name))]

    static let unsubscribeToken = Route.PathParameter.text(pattern: "^[1-9][0-9]{0,18}-[1-9][0-9]{0,2}-[0-9a-f]{32}$", description: "the token of an email's unsubscribe link")

    /// The link's token when it has the pattern's shape (checked here: it goes into a page); otherwise the link does not exist.
    static func unsubscribeToken(_ ctx: RequestContext) throws -> String {
        let token = ctx.parameters["token"] ?? ""
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        let digits = { (p: Substring, most: Int) in !p.isEmpty && p.count <= most && p.utf8.allSatisfy { (48...57).contains($0) } }
        guard parts.count == 3, digits(parts[0], 19), digits(parts[1], 3), parts[2].count == 32,
              parts[2].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { throw RPCError.notFound("this unsubscribe link is not valid") }
        return token
    }

    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/unsubscribe/{token}", pathParameters: ["token": unsubscribeToken], operationID: "unsubscribe", access: .open,
            summary: "N3: an email's one-click unsubscribe (RFC 8058: mail clients POST List-Unsubscribe=One-Click here); the contact is opted out of email",
            rawBody: true,
            answers: [Route.Answer(status: 200, description: "unsubscribed (again is the same)", content: .text)], errors: [404, 429]
        ) { ctx in
            let address = ctx.request.remoteAddress
            if let refusal = ctx.api.lockedOut(address, requestID: ctx.requestID) { return refusal }
            do {
                _ = try await ctx.call(Notifications.unsubscribe, UnsubscribeRequest(token: try unsubscribeToken(ctx)))
            } catch let error as RPCError where error.code == .notFound {
                // A made-up token counts as a failed authentication: guessing is slowed down.
                ctx.api.authenticationFailed(address)
                throw error
            }
            return HTTPResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "You are unsubscribed: no more emails of this kind will be sent to you.")
        },
        Route(
            method: "GET", path: "/v1/unsubscribe/{token}", pathParameters: ["token": unsubscribeToken], operationID: "unsubscribePage", access: .open,
            summary: "N3: the unsubscribe link opened in a browser: a page with a button that unsubscribes (a GET changes nothing: mail scanners follow links)",
            answers: [Route.Answer(status: 200, description: "the page", content: .html)], errors: [404, 503]
        ) { ctx in
            let token = try unsubscribeToken(ctx)
            // A made-up link is not a page (NotificationsService/README.md: 404); checking changes nothing.
            _ = try await ctx.call(Notifications.unsubscribe, UnsubscribeRequest(token: token, checkOnly: true))
            let page = """
                <!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body>
                <form method="post" action="/v1/unsubscribe/\(token)"><input type="hidden" name="List-Unsubscribe" value="One-Click">
                <p>Stop receiving these emails?</p><button type="submit">Unsubscribe</button></form></body></html>
                """
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: page)
        },
        Route(
            method: "GET", path: "/v1/notification-events", operationID: "notificationEvents", access: .role(.admin),
            summary: "Every event type rules and webhooks take, with the variables its templates may use (N2)", answers: [Route.answer(200, "event types", EventTypeList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.eventTypes, Empty()))
        },
        Route(
            method: "PUT", path: "/v1/notification-channels/{channel}", pathParameters: channels, operationID: "putNotificationChannel", access: .role(.admin),
            summary: "A channel's provider, base URL, token (never shown again), cost per send, time zone and locale (N1)",
            body: ChannelSettings.openAPIInputSchema,
            example: #"{"provider":"telegram","baseUrl":"https://api.telegram.org","token":"123456:ABC","timeZone":"Europe/Moscow","locale":"ru"}"#,
            answers: [Route.answer(200, "the channel", ChannelSettings.self)], errors: [422]
        ) { ctx in
            var settings = try ctx.body(ChannelSettings.self)
            settings.channel = NotificationChannel.allCases.first { $0.name == ctx.parameters["channel"] } ?? .unspecified
            return Reply.json(200, try await ctx.call(Notifications.putChannel, settings))
        },
        Route(
            method: "GET", path: "/v1/notification-channels/{channel}/history", pathParameters: channels, operationID: "notificationChannelHistory",
            access: .role(.admin), summary: "Every change to a channel's settings, with who made it and when (issue 26); tokens only as replaced",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)]
        ) { ctx in
            let channel = NotificationChannel.allCases.first { $0.name == ctx.parameters["channel"] } ?? .unspecified
            return Reply.json(200, try await ctx.call(Notifications.channelHistory, ChannelHistoryRequest(channel: channel)))
        },
        Route(
            method: "GET", path: "/v1/notification-channels", operationID: "listNotificationChannels", access: .role(.admin),
            summary: "Every channel set up", answers: [Route.answer(200, "channels", ChannelSettingsList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listChannels, Empty()))
        },
        Route(
            method: "POST", path: "/v1/templates", operationID: "createTemplate", access: .role(.admin),
            summary: "A template for a channel and event type (N2); a variable the event does not offer is refused, named",
            body: MessageTemplate.openAPIInputSchema,
            example: #"{"name":"Payment thanks","channel":"telegram","eventType":"payment.paid","body":"Спасибо, {{contact.first_name}}! Получили {{payment.amount}}."}"#,
            answers: [Route.answer(201, "created", MessageTemplate.self, headers: ["Location"])], errors: [422],
            links: [Route.Link(name: "PreviewTemplate", operationID: "previewTemplate", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            let template = try await ctx.call(Notifications.createTemplate, try ctx.body(MessageTemplate.self))
            return Reply.created(template, at: "/v1/templates")
        },
        Route(
            method: "GET", path: "/v1/templates", operationID: "listTemplates", access: .role(.admin),
            summary: "Every template", answers: [Route.answer(200, "templates", MessageTemplateList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listTemplates, Empty()))
        },
        Route(
            method: "POST", path: "/v1/templates/{id}/preview", operationID: "previewTemplate", access: .role(.admin),
            summary: "The template rendered with the values given (samples for the rest), escaped for its channel",
            body: TemplatePreviewRequest.openAPIInputSchema, example: #"{"values":{"contact.first_name":"Anna"}}"#,
            answers: [Route.answer(200, "rendered", RenderedMessage.self)], errors: [404]
        ) { ctx in
            var request = try ctx.body(TemplatePreviewRequest.self)
            request.templateID = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.previewTemplate, request))
        },
        Route(
            method: "POST", path: "/v1/notification-rules", operationID: "createNotificationRule", access: .role(.admin),
            summary: "A rule (N3): on an event whose variables match the filters, send a template to the contact, the responsible, a staff member or an address, maybe later",
            body: NotificationRule.openAPIInputSchema,
            example: #"{"name":"Thanks for paying","eventType":"payment.paid","templateId":1,"recipient":"contact","delayMinutes":0,"enabled":true}"#,
            answers: [Route.answer(201, "created", NotificationRule.self, headers: ["Location"])], errors: [422],
            links: [Route.Link(name: "ReplaceRule", operationID: "replaceNotificationRule", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            Reply.created(try await ctx.call(Notifications.createRule, try ctx.body(NotificationRule.self)), at: "/v1/notification-rules")
        },
        Route(
            method: "PUT", path: "/v1/notification-rules/{id}", operationID: "replaceNotificationRule", access: .role(.admin),
            summary: "A rule replaced (or switched off with enabled false); sends already planned stay",
            body: NotificationRule.openAPIInputSchema,
            example: #"{"name":"Thanks for paying","eventType":"payment.paid","templateId":1,"recipient":"contact","enabled":false}"#,
            answers: [Route.answer(200, "the rule", NotificationRule.self)], errors: [404, 422]
        ) { ctx in
            var rule = try ctx.body(NotificationRule.self)
            rule.id = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.updateRule, rule))
        },
        Route(
            method: "GET", path: "/v1/notification-rules", operationID: "listNotificationRules", access: .role(.admin),
            summary: "Every rule", answers: [Route.answer(200, "rules", NotificationRuleList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listRules, Empty()))
        },
        Route(
            method: "GET", path: "/v1/notification-sends", operationID: "listNotificationSends", access: .role(.admin),
            summary: "The send log, newest first (N1): each message's channel, provider, address, status history, attempts, provider id and cost",
            query: ListOutboundMessagesRequest.queryParameters, answers: [Route.answer(200, "sends", OutboundMessageList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listSends, try ctx.query(ListOutboundMessagesRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/notification-sends/{id}", operationID: "getNotificationSend", access: .role(.admin),
            summary: "One send with its history", answers: [Route.answer(200, "the send", OutboundMessage.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.getSend, GetOutboundMessageRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/opt-outs", operationID: "optOut", access: .role(.admin),
            summary: "A contact opts out of a channel (N3): later sends to them there are skipped, logged",
            body: OptOutRequest.openAPIInputSchema, example: #"{"contactId":1,"channel":"sms","reason":"asked on the phone"}"#,
            answers: [Route.answer(200, "recorded", OptOutRequest.self)], errors: [422]
        ) { ctx in
            let request = try ctx.body(OptOutRequest.self)
            try await ctx.requireContact(request.contactID)
            return Reply.json(200, try await ctx.call(Notifications.optOut, request))
        },
        Route(
            method: "POST", path: "/v1/webhook-subscriptions", operationID: "createWebhookSubscription", access: .role(.admin),
            summary: "An outbound webhook endpoint for event types (`*`: all), signed per Standard Webhooks; the secret is shown once",
            body: WebhookSubscription.openAPIInputSchema, example: #"{"url":"https://partner.example.com/hooks","eventTypes":["lead.low_quality","payment.paid"]}"#,
            answers: [Route.answer(201, "created, with its secret", WebhookSubscription.self, headers: ["Location"])], errors: [422],
            links: [Route.Link(name: "ReplaySubscription", operationID: "replayWebhookPeriod", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            Reply.created(try await ctx.call(Notifications.createSubscription, try ctx.body(WebhookSubscription.self)), at: "/v1/webhook-subscriptions", secret: true)
        },
        Route(
            method: "GET", path: "/v1/webhook-subscriptions", operationID: "listWebhookSubscriptions", access: .role(.admin),
            summary: "Every endpoint, enabled or not, with when it started failing", answers: [Route.answer(200, "subscriptions", WebhookSubscriptionList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listSubscriptions, Empty()))
        },
        Route(
            method: "PUT", path: "/v1/webhook-subscriptions/{id}", operationID: "replaceWebhookSubscription", access: .role(.admin),
            summary: "An endpoint's URL, event types and whether it is disabled (enabling it again clears its failures); its secret stays",
            body: WebhookSubscription.openAPIInputSchema, example: #"{"url":"https://partner.example.com/hooks","eventTypes":["*"],"disabled":false}"#,
            answers: [Route.answer(200, "the subscription", WebhookSubscription.self)], errors: [404, 422]
        ) { ctx in
            var input = try ctx.body(WebhookSubscription.self)
            input.id = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.updateSubscription, input))
        },
        Route(
            method: "GET", path: "/v1/webhook-deliveries", operationID: "listWebhookDeliveries", access: .role(.admin),
            summary: "The delivery log, newest first: each event's attempts (status, error, time) and its webhook-id",
            query: ListDeliveriesRequest.queryParameters, answers: [Route.answer(200, "deliveries", WebhookDeliveryList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listDeliveries, try ctx.query(ListDeliveriesRequest.self)))
        },
        Route(
            method: "POST", path: "/v1/webhook-deliveries/{id}/replay", operationID: "replayWebhookDelivery", access: .role(.admin),
            summary: "One delivery again now, with the same webhook-id", bodyRequired: false,
            answers: [Route.answer(200, "queued", WebhookDelivery.self)], errors: [404, 409]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.replayDelivery, GetDeliveryRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/webhook-subscriptions/{id}/replay", operationID: "replayWebhookPeriod", access: .role(.admin),
            summary: "Every delivery of the endpoint in a period (at most 31 days) again, dead ones included",
            body: ReplayPeriodRequest.openAPIInputSchema, example: #"{"from":"2026-12-01T00:00:00Z","to":"2026-12-02T00:00:00Z"}"#,
            answers: [Route.answer(200, "how many", ReplayPeriodResult.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(ReplayPeriodRequest.self)
            request.subscriptionID = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.replayPeriod, request))
        },
        Route(
            method: "GET", path: "/v1/surveys", operationID: "listSurveys", access: .role(.admin),
            summary: "NPS surveys (N6), newest first: planned, asking, answered (with the score), expired or skipped, and what they did",
            query: ListSurveysRequest.queryParameters, answers: [Route.answer(200, "surveys", SurveyList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listSurveys, try ctx.query(ListSurveysRequest.self)))
        },
        Route(
            method: "POST", path: "/v1/scheduled-reports", operationID: "createScheduledReport", access: .role(.admin),
            summary: """
                Send a report every week (Mondays, for the week before) or month (the 1st, for the month before) at an hour of \
                the business's day (issue 26): emailed with its CSV to staff (each gets what they may see), its summary to a Telegram chat
                """,
            body: ScheduledReport.openAPIInputSchema,
            example: #"{"name":"Monthly attribution","kind":"attribution","groupBy":"utm_campaign","currency":"RUB","every":"month","hour":9,"staffIds":[1]}"#,
            answers: [Route.answer(201, "scheduled", ScheduledReport.self)], errors: [422], idempotencyKey: true
        ) { ctx in
            Reply.json(201, try await ctx.call(Notifications.createScheduledReport, try ctx.body(ScheduledReport.self)))
        },
        Route(
            method: "GET", path: "/v1/scheduled-reports", operationID: "listScheduledReports", access: .role(.admin),
            summary: "Scheduled reports (issue 26): when each goes next and what its last sending did",
            answers: [Route.answer(200, "the reports", ScheduledReportList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listScheduledReports, Empty()))
        },
        Route(
            method: "DELETE", path: "/v1/scheduled-reports/{id}", operationID: "deleteScheduledReport", access: .role(.admin),
            summary: "Stop sending a scheduled report (issue 26)", answers: [Route.answer(200, "it is sent no more", ScheduledReport.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.deleteScheduledReport, ScheduledReportRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/alerts", operationID: "createAlert", access: .role(.admin),
            summary: "A metric alert (N5) to the owner's Telegram chat: fires when the metric holds at the threshold for forMinutes, repeats every repeatMinutes, says resolved",
            body: Alert.openAPIInputSchema,
            example: #"{"name":"Missed calls","metric":"missed_calls","threshold":5,"windowMinutes":60,"forMinutes":10,"repeatMinutes":240,"chatId":"-100123456"}"#,
            answers: [Route.answer(201, "created", Alert.self, headers: ["Location"])], errors: [422],
            links: [Route.Link(name: "ReplaceAlert", operationID: "replaceAlert", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            Reply.created(try await ctx.call(Notifications.createAlert, try ctx.body(Alert.self)), at: "/v1/alerts")
        },
        Route(
            method: "PUT", path: "/v1/alerts/{id}", operationID: "replaceAlert", access: .role(.admin),
            summary: "An alert replaced (or disabled); its state carries on", body: Alert.openAPIInputSchema,
            example: #"{"name":"Missed calls","metric":"missed_calls","threshold":10,"chatId":"-100123456","disabled":false}"#,
            answers: [Route.answer(200, "the alert", Alert.self)], errors: [404, 422]
        ) { ctx in
            var alert = try ctx.body(Alert.self)
            alert.id = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.updateAlert, alert))
        },
        Route(
            method: "GET", path: "/v1/alerts", operationID: "listAlerts", access: .role(.admin),
            summary: "Every alert with its state (inactive, pending, firing), since when, and the metric's last value", answers: [Route.answer(200, "alerts", AlertList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listAlerts, Empty()))
        },
        Route(
            method: "POST", path: "/v1/bot-flows", operationID: "createBotFlow", access: .role(.admin),
            summary: "A qualification bot's flow (N6): 7–12 questions, choices (buttons) or free text, each answer saved in a deal field; refused unless every path ends and every question is reachable",
            body: BotFlow.openAPIInputSchema,
            example: #"{"name":"Windows","first":"rooms","questions":[{"key":"rooms","text":"How many rooms?","kind":"choice","field":"rooms","choices":[{"label":"1–2","next":"floor"},{"label":"3+","next":"floor"}]},{"key":"floor","text":"Which floor?","kind":"text","field":"floor","next":"windows"},{"key":"windows","text":"How many windows?","kind":"text","field":"windows","next":"profile"},{"key":"profile","text":"Which profile: plastic or wood?","kind":"choice","field":"profile","choices":[{"label":"plastic","next":"glazing"},{"label":"wood","next":"glazing"}]},{"key":"glazing","text":"Double or triple glazing?","kind":"choice","field":"glazing","choices":[{"label":"double","next":"when"},{"label":"triple","next":"when"}]},{"key":"when","text":"When would suit you for a measurement?","kind":"text","field":"when","next":"district"},{"key":"district","text":"Which district are you in?","kind":"text","field":"district","next":"end"}]}"#,
            answers: [Route.answer(201, "created", BotFlow.self, headers: ["Location"])], errors: [422]
        ) { ctx in
            Reply.created(try await ctx.call(Notifications.createBotFlow, try ctx.body(BotFlow.self)), at: "/v1/bot-flows")
        },
        Route(
            method: "GET", path: "/v1/bot-flows", operationID: "listBotFlows", access: .role(.admin),
            summary: "Every bot flow", answers: [Route.answer(200, "flows", BotFlowList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.listBotFlows, Empty()))
        },
    ]
}
