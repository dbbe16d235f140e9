import ContractSchema

/// The Notifications contract (N1–N4): channels, templates validated against the variables
/// their event offers, rules an admin edits at run time, the send log, and outbound
/// webhooks with the Standard Webhooks headers.
public let notificationsContract = ContractFile("Notifications") {
    Service("Notifications", id: "switchboard.notifications.Notifications", callers: [CallerIdentity.gateway], doc: """
        The notifications service: the events of every other service turned into messages
        by rules (on an event, send template T over channel C to someone, maybe later), each
        send one row in a log with its status history, attempts and cost; and outbound
        webhooks for integrators, signed and retried on Svix's schedule.
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("eventTypes", "EventTypes", "Empty", "EventTypeList", idempotent: true, doc: "N2: every event type rules and webhooks take, with the variables it offers.")
        Service.Method("putChannel", "PutChannel", "ChannelSettings", "ChannelSettings", idempotent: true, doc: "N1: a channel's provider, base URL, credentials and cost per send.")
        Service.Method("listChannels", "ListChannels", "Empty", "ChannelSettingsList", idempotent: true)
        Service.Method("channelHistory", "ChannelHistory", "ChannelHistoryRequest", "SetupHistory", idempotent: true, doc: "Every change to a channel's settings, with who and when (issue 26).")
        Service.Method("createTemplate", "CreateTemplate", "MessageTemplate", "MessageTemplate", doc: """
            N2: a template for one channel and event type; a variable the event does not offer
            (or that does not exist) is refused with its name.
            """)
        Service.Method("listTemplates", "ListTemplates", "Empty", "MessageTemplateList", idempotent: true)
        Service.Method("previewTemplate", "PreviewTemplate", "TemplatePreviewRequest", "RenderedMessage", idempotent: true, doc: "N2: the template rendered with sample or given values, escaped for its channel.")
        Service.Method("createRule", "CreateRule", "NotificationRule", "NotificationRule", doc: "N3: on an event (with filters on its variables), send a template to a recipient, optionally after a delay.")
        Service.Method("updateRule", "UpdateRule", "NotificationRule", "NotificationRule", idempotent: true, doc: "N3: a rule replaced (enabled or not); sends already planned stay as they are.")
        Service.Method("listRules", "ListRules", "Empty", "NotificationRuleList", idempotent: true)
        Service.Method("listSends", "ListSends", "ListOutboundMessagesRequest", "OutboundMessageList", idempotent: true, doc: "N1: the send log, newest first.")
        Service.Method("getSend", "GetSend", "GetOutboundMessageRequest", "OutboundMessage", idempotent: true)
        Service.Method("optOut", "OptOut", "OptOutRequest", "OptOutRequest", idempotent: true, doc: "N3: a contact opts out of a channel (unsubscribe, /stop); later sends are skipped and logged.")
        Service.Method("unsubscribe", "Unsubscribe", "UnsubscribeRequest", "OptOutRequest", idempotent: true, doc: """
            N3: an email's one-click unsubscribe link (RFC 8058) followed: the contact and
            channel its signed token names are opted out; a token this service did not sign is not_found.
            """)
        Service.Method("createSubscription", "CreateSubscription", "WebhookSubscription", "WebhookSubscription", doc: """
            N1: an outbound webhook endpoint for event types; its signing secret is in the
            answer once.
            """)
        Service.Method("listSubscriptions", "ListSubscriptions", "Empty", "WebhookSubscriptionList", idempotent: true)
        Service.Method("updateSubscription", "UpdateSubscription", "WebhookSubscription", "WebhookSubscription", idempotent: true, doc: "Its URL, event types and whether it is disabled (enabling it again clears its failures).")
        Service.Method("listDeliveries", "ListDeliveries", "ListDeliveriesRequest", "WebhookDeliveryList", idempotent: true, doc: "N1: the delivery log of outbound webhooks.")
        Service.Method("replayDelivery", "ReplayDelivery", "GetDeliveryRequest", "WebhookDelivery", doc: "N1: one delivery again now, with the same webhook-id.")
        Service.Method("replayPeriod", "ReplayPeriod", "ReplayPeriodRequest", "ReplayPeriodResult", doc: "N1: every delivery of a subscription in a period again (dead ones included).")
        Service.Method("recordReply", "RecordReply", "InboundReply", "ReplyOutcome", idempotent: true, doc: """
            N6: a messenger's reply or button press (a Telegram Update, through the gateway's
            hook ledger): an answer to the survey waiting in that chat, or /stop.
            """)
        Service.Method("recordDeliveryStatus", "RecordDeliveryStatus", "DeliveryStatusReport", "DeliveryStatusOutcome", idempotent: true, doc: """
            N1: providers' delivery statuses for sends they took: sent -> delivered -> read, or
            undelivered; a repeat or a status a later one overtook changes nothing (it is
            kept in the send's history).
            """)
        Service.Method("createScheduledReport", "CreateScheduledReport", "ScheduledReport", "ScheduledReport", doc: """
            Issue 26 item 6: a report sent every week (Monday, for the week before) or month (the 1st, for the month
            before) at an hour of the business's day: by email with the CSV attached to chosen staff, or its summary to
            a Telegram chat. A durable timer: a restart or a day down sends it late, never twice, never not.
            """)
        Service.Method("listScheduledReports", "ListScheduledReports", "Empty", "ScheduledReportList", idempotent: true)
        Service.Method("deleteScheduledReport", "DeleteScheduledReport", "ScheduledReportRequest", "ScheduledReport", idempotent: true, doc: "It is sent no more.")
        Service.Method("listSurveys", "ListSurveys", "ListSurveysRequest", "SurveyList", idempotent: true, doc: "N6: surveys, newest first, with their answers.")
        Service.Method("createAlert", "CreateAlert", "Alert", "Alert", doc: "N5: a metric threshold checked on a schedule, sent to a Telegram chat with Alertmanager's semantics.")
        Service.Method("updateAlert", "UpdateAlert", "Alert", "Alert", idempotent: true)
        Service.Method("listAlerts", "ListAlerts", "Empty", "AlertList", idempotent: true)
        Service.Method("createBotFlow", "CreateBotFlow", "BotFlow", "BotFlow", doc: """
            N6: a qualification bot's flow, validated when saved: 7–12 questions, every answer
            leads to a question or to the end, every question is reachable, every path ends.
            """)
        Service.Method("listBotFlows", "ListBotFlows", "Empty", "BotFlowList", idempotent: true)
        Service.Method("recordMessages", "RecordMessages", "InboundMessages", "InboundOutcome", idempotent: true, doc: """
            D3, D5: what people wrote over WhatsApp or Telegram (the Cloud API's `messages`, a Telegram
            Update's private `message`, through the gateway's hook ledger), each once by the provider's
            message id: its contact found or made, filed with deals (a new lead and deal, or an entry on
            the open deal's timeline), kept in the contact's conversation for that channel.
            """)
        Service.Method("listConversations", "ListConversations", "ListConversationsRequest", "ConversationPage", idempotent: true, doc: """
            Conversations, the latest message first: mine (assigned to the caller), unassigned, unread,
            by channel. G3: a restricted person sees those assigned to them or their team, and unassigned ones.
            """)
        Service.Method("conversationMessages", "ConversationMessages", "ConversationMessagesRequest", "ConversationMessagePage", idempotent: true, doc: """
            A conversation's messages in both directions, newest first, paged.
            """)
        Service.Method("reply", "Reply", "ConversationReply", "ConversationMessage", doc: """
            Staff answer over the conversation's channel through the send log (N1: retries, statuses, cost); WhatsApp
            takes text only within 24 hours of the person's last message, an approved template after that
            (failed_precondition otherwise). Emits message.sent once the provider takes it.
            """)
        Service.Method("startLink", "StartLink", "StartLinkRequest", "StartLink", doc: """
            N6 (issue 25): a Telegram deep link for a deal's contact, single use, 7 days: the person who opens it
            is bound to the contact, and the qualification bot starts in their chat.
            """)
        Service.Method("markConversationRead", "MarkConversationRead", "ConversationRequest", "Conversation", idempotent: true, doc: "Nothing unread in it any more.")
        Service.Method("closeConversation", "CloseConversation", "ConversationRequest", "Conversation", idempotent: true, doc: """
            Done with for now: the person's next message opens it again.
            """)
        Service.Method("assignConversation", "AssignConversation", "AssignConversationRequest", "Conversation", idempotent: true, doc: """
            Hands the conversation to a staff member; emits conversation.assigned.
            """)
        Service.Method("contactOptOuts", "ContactOptOuts", "ContactOptOutsRequest", "OptOutList", idempotent: true, doc: """
            C8: the channels one person opted out of, for their export.
            """)
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: the person's send log entries, conversations, messages and surveys lose their addresses and texts; counts stay.
            """)
        Service.Event("endpointDisabled", "webhook.endpoint_disabled", payload: "WebhookSubscription", doc: "It failed for 5 days and is disabled; an admin is told.")
        Service.Event("messageReceived", "message.received", payload: "ConversationMessage", doc: "A person wrote (D5).")
        Service.Event("messageSent", "message.sent", payload: "ConversationMessage", doc: "Staff's answer was taken by the provider (D5).")
        Service.Event("conversationAssigned", "conversation.assigned", payload: "Conversation", doc: "A conversation has a new assignee.")
    }
    Enumeration("MessageKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "text")
        Enumeration.Case(2, "button", doc: "A reply button or list item pressed: `buttonData` is its id, `text` its title.")
        Enumeration.Case(3, "media", doc: "An image, voice note, video or document: `mediaId` and `mimeType` name it at the provider.")
        Enumeration.Case(4, "contact", doc: "A shared contact card: `sharedPhone` is its number.")
    }
    Enumeration("MessageDirection") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "inbound", doc: "The person wrote.")
        Enumeration.Case(2, "outbound", doc: "Staff or a rule wrote.")
    }
    Message("InboundMessage", doc: "D3, D5: one message a person sent over a messenger, as the provider's webhook said it.") {
        Field(1, "channel", .enumeration("NotificationChannel"))
        Field(2, "providerMessageID", .string, doc: "WhatsApp's wamid, or Telegram's chat id and message id: a repeat changes nothing.")
        Field(3, "chatID", .string, doc: "Whom to answer: WhatsApp's wa_id (the number's digits), Telegram's chat id.")
        Field(4, "phone", .string, doc: "The sender's phone when the channel knows it (WhatsApp's wa_id with a plus).")
        Field(5, "profileName", .string, doc: "The name the person gave the messenger.")
        Field(6, "userName", .string, doc: "Telegram's @username, without the @.")
        Field(7, "kind", .enumeration("MessageKind"))
        Field(8, "text", .string)
        Field(9, "buttonData", .string)
        Field(10, "mediaID", .string)
        Field(11, "mimeType", .string)
        Field(12, "sharedPhone", .string, doc: "The number on a shared contact card (Telegram's `contact`, WhatsApp's `contacts`).")
        Field(13, "atMilliseconds", .int64)
    }
    Message("InboundMessages", doc: "A webhook's messages, and the delivery statuses that came with them (WhatsApp sends both kinds).") {
        Field(1, "messages", .repeated(.message("InboundMessage")))
        Field(2, "statuses", .optional(.message("DeliveryStatusReport")))
    }
    Message("InboundOutcome") {
        Field(1, "messages", .repeated(.message("ConversationMessage")), doc: "Each message as kept, a repeat as it was kept the first time.")
    }
    Message("Conversation", doc: "A contact's conversation over one channel (D5): their messages and staff's answers.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "contactID", .int64)
        Field(3, "channel", .enumeration("NotificationChannel"))
        Field(4, "chatID", .string, doc: "The person's address on the channel.")
        Field(5, "assigneeID", .optional(.int64), doc: "Who answers: the deal's responsible at first, reassignable.")
        Field(6, "dealID", .optional(.int64), doc: "The deal its latest message was filed on.")
        Field(7, "unread", .int64, doc: "Messages from the person since staff last read it.")
        Field(8, "lastMessageAtMilliseconds", .int64).timestamp()
        Field(9, "lastInboundAtMilliseconds", .int64, doc: "When the person last wrote: WhatsApp's 24-hour window runs from it.").timestamp()
        Field(10, "preview", .string, doc: "The latest message's first 200 characters.")
        Field(11, "closed", .bool)
        Field(12, "title", .string, doc: "The person's name as the messenger gave it.")
    }
    Message("ConversationMessage", doc: "One message of a conversation, either way.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "conversationID", .int64)
        Field(3, "contactID", .int64)
        Field(4, "dealID", .optional(.int64))
        Field(5, "channel", .enumeration("NotificationChannel"))
        Field(6, "direction", .enumeration("MessageDirection"))
        Field(7, "kind", .enumeration("MessageKind"))
        Field(8, "text", .string)
        Field(9, "buttonData", .string).omitEmpty()
        Field(10, "mediaID", .string).omitEmpty()
        Field(11, "mimeType", .string).omitEmpty()
        Field(12, "providerMessageID", .string)
        Field(13, "atMilliseconds", .int64).timestamp()
        Field(14, "assigneeID", .optional(.int64), doc: "The conversation's assignee when it came: whom rules tell.")
        Field(15, "newLead", .bool, doc: "It opened a new lead and deal (D3).")
        Field(16, "sharedPhone", .string).omitEmpty()
        Field(17, "status", .enumeration("OutboundStatus"), doc: "An answer's: scheduled, sent, delivered, read, failed (the send log's, N1).").omitEmpty()
        Field(18, "sendID", .optional(.int64), doc: "An answer's send in the log (`GET /v1/notification-sends/{id}`).").named("sendId")
        Field(19, "sentBy", .optional(.int64), doc: "The staff member who answered.")
        Field(20, "template", .optional(.message("WhatsAppTemplate")))
        Field(21, "note", .string, doc: "Why an answer failed, as the provider said.").omitEmpty()
    }
    Message("ConversationReply", doc: "Staff's answer in a conversation (issue 25).", rest: [.input]) {
        Field(1, "conversationID", .int64).hidden()
        Field(2, "text", .string, doc: "The answer; within WhatsApp's 24-hour window and on Telegram.").length(max: 4096)
        Field(3, "template", .optional(.message("WhatsAppTemplate")), doc: "WhatsApp outside its 24-hour window: an approved template, named and filled.")
        Field(4, "sentBy", .optional(.int64)).hidden()
        Field(5, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("ListConversationsRequest", rest: [.query]) {
        Field(1, "mine", .bool, doc: "Only those assigned to the caller (a staff token).")
        Field(2, "unassigned", .bool)
        Field(3, "unread", .bool)
        Field(4, "channel", .enumeration("NotificationChannel")).allowed("telegram", "whatsapp")
        Field(5, "staffID", .optional(.int64)).hidden()
        Field(6, "visibility", .optional(.message("Visibility"))).hidden()
        Field(7, "cursor", .string).length(max: 200)
        Field(8, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(9, "state", .string, doc: "open or closed; both when absent.").allowed("open", "closed")
        Field(10, "contactID", .optional(.int64), doc: "Only this contact's (a person's data, P5).").named("contactId").minimum(1)
    }
    Message("ConversationPage", rest: [.output]) {
        Field(1, "conversations", .repeated(.message("Conversation"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("ConversationMessagesRequest", rest: [.query]) {
        Field(1, "conversationID", .int64).hidden()
        Field(2, "visibility", .optional(.message("Visibility"))).hidden()
        Field(3, "cursor", .string).length(max: 200)
        Field(4, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("ConversationMessagePage", rest: [.output]) {
        Field(1, "messages", .repeated(.message("ConversationMessage"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("StartLinkRequest") {
        Field(1, "dealID", .int64)
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("StartLink", rest: [.output]) {
        Field(1, "url", .string, doc: "https://t.me/<bot>?start=<token>")
        Field(2, "expiresAtMilliseconds", .int64).timestamp()
    }
    Message("ConversationRequest") {
        Field(1, "id", .int64)
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("AssignConversationRequest", rest: [.input], restName: "ConversationAssignment") {
        Field(1, "id", .int64).hidden()
        Field(2, "assigneeID", .int64).required().minimum(1)
        Field(3, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Enumeration("NotificationChannel") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "email")
        Enumeration.Case(2, "telegram")
        Enumeration.Case(3, "sms")
        Enumeration.Case(4, "whatsapp")
        Enumeration.Case(5, "webhook", doc: "A generic signed HTTP POST to the rule's address.")
    }
    Enumeration("RecipientKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "contact", doc: "The event's contact (the deal's, the payer, the participant).")
        Enumeration.Case(2, "responsible", doc: "The deal's responsible staff member.")
        Enumeration.Case(3, "staff", doc: "The staff member `staffId`.")
        Enumeration.Case(4, "address", doc: "A fixed address: `address` (an email, a phone, a Telegram chat id, a URL).")
    }
    Enumeration("OutboundStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "scheduled", doc: "Waiting for its time (a delay, a retry, quiet hours).")
        Enumeration.Case(2, "sent", doc: "The provider took it.")
        Enumeration.Case(3, "failed", doc: "Every attempt failed; kept for an admin.")
        Enumeration.Case(4, "skipped", doc: "Not sent: opted out, no address, or its source is gone; the reason is in the history.")
        Enumeration.Case(5, "cancelled", doc: "Its source changed (an appointment cancelled) before its time.")
        Enumeration.Case(6, "delivered", doc: "The provider reported it delivered to the recipient's phone or app.")
        Enumeration.Case(7, "read", doc: "The provider reported it read (WhatsApp, Viber through SMS.ru).")
        Enumeration.Case(8, "undelivered", doc: "The provider took it but reported it could not be delivered (switched off, blocked, expired); the reason is in the history.")
    }
    Message("EventTypeInfo", rest: [.output]) {
        Field(1, "type", .string)
        Field(2, "variables", .repeated(.string), doc: "What `{{...}}` may name for it (contact.*, responsible.* and the event's own).")
    }
    Message("EventTypeList", rest: [.output]) {
        Field(1, "types", .repeated(.message("EventTypeInfo"))).named("items")
    }
    Message("ChannelSettings", doc: "N1: how a channel sends.", rest: [.output, .input]) {
        Field(1, "channel", .enumeration("NotificationChannel")).readOnly()
        Field(2, "provider", .string, doc: "telegram, smsru, whatsapp-cloud, webhook.").required().length(max: 50, min: 1).oneLineName()
        Field(3, "baseURL", .string, doc: "The provider's API base (https://api.telegram.org, https://sms.ru, https://graph.facebook.com/v20.0), a local server in tests.").named("baseUrl").required().length(max: 500, min: 1)
        Field(4, "token", .optional(.string), doc: "The bot token, api_id, user:password, access token or signing secret; never shown again. Left out: the one set before stays; empty: none.").length(max: 500).writeOnly()
        Field(5, "tokenSet", .bool).readOnly()
        Field(6, "sender", .string, doc: "Sender name, WhatsApp phone-number id, the Telegram bot's username (for deep links).").length(max: 100).line()
        Field(7, "costMinor", .int64, doc: "Cost of one send when the provider reports none (minor units).").minimum(0).maximum(1_000_000_000)
        Field(8, "currency", .string).currencyCode()
        Field(9, "fallbackBaseURL", .string, doc: "A second provider endpoint of the same kind, tried when the first fails.").named("fallbackBaseUrl").length(max: 500)
        Field(10, "timeZone", .string, doc: "IANA zone for quiet hours and times in messages (Europe/Moscow).").length(max: 64)
        Field(11, "locale", .string, doc: "ru or en: how money and times are written.").length(max: 10)
        Field(12, "countryCosts", .repeated(.message("CountryCost")), doc: """
            What one send costs by the recipient's country (from its phone number), when the
            provider reports no cost; other countries cost `costMinor`.
            """).items(max: 250)
    }
    Message("CountryCost", doc: "N1: the cost of one send to a phone number of one country, in the channel's currency.", rest: [.output, .input]) {
        Field(1, "country", .string, doc: "ISO 3166-1 alpha-2 (RU, KZ, BY).").required().countryCode()
        Field(2, "costMinor", .int64, doc: "Minor units of the channel's currency.").required().minimum(0).maximum(1_000_000_000)
    }
    Message("ChannelSettingsList", rest: [.output]) {
        Field(1, "channels", .repeated(.message("ChannelSettings"))).named("items")
    }
    Message("MessageTemplate", doc: "N2: a message with `{{variables}}` (filters: `| time`, `| date`, `| upper`) for one channel and event type.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "channel", .enumeration("NotificationChannel")).required()
        Field(4, "eventType", .string, doc: "The event whose variables it may use.").required().length(max: 100, min: 1).inputSchema(notificationEventTypeSchema)
        Field(5, "subject", .string, doc: "Email subject; ignored elsewhere.").length(max: 500)
        Field(6, "body", .string).required().length(max: 8000, min: 1).nonBlank()
        Field(7, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("MessageTemplateList", rest: [.output]) {
        Field(1, "templates", .repeated(.message("MessageTemplate"))).named("items")
    }
    Message("TemplatePreviewRequest", rest: [.input], restName: "TemplatePreview") {
        Field(1, "templateID", .int64).hidden()
        Field(2, "values", .repeated(.message("CustomField")), doc: "Values to render with (the rest: samples).").nameValue(maxItems: 100, maxValueLength: 4000)
    }
    Message("RenderedMessage", rest: [.output]) {
        Field(1, "subject", .string)
        Field(2, "body", .string)
    }
    Message("NotificationRuleFilter", doc: "N3: the event's variable must equal this.", rest: [.output, .input]) {
        Field(1, "variable", .string).required().length(max: 100, min: 1)
        Field(2, "equals", .string).required().length(max: 500)
    }
    Message("NotificationRule", doc: "N3: on `eventType` (its filters all holding), send `templateId` to the recipient, `delayMinutes` later.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "eventType", .string).required().length(max: 100, min: 1).inputSchema(notificationEventTypeSchema)
        Field(4, "filters", .repeated(.message("NotificationRuleFilter"))).items(max: 20)
        Field(5, "templateID", .int64).required().minimum(1)
        Field(6, "recipient", .enumeration("RecipientKind")).required()
        Field(7, "staffID", .optional(.int64)).minimum(1)
        Field(8, "address", .string).length(max: 500)
        Field(9, "delayMinutes", .int64, doc: "From the event (or, for session.reminder_due, from when it fires).").minimum(0).maximum(43_200)
        Field(10, "quietFromMinute", .optional(.int64), doc: "Quiet hours start (minutes after local midnight, the channel's zone): a send due then waits.").minimum(0).maximum(1439)
        Field(11, "quietToMinute", .optional(.int64)).minimum(0).maximum(1439)
        Field(12, "enabled", .bool, doc: "False: it sends nothing new.")
        Field(13, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(14, "channel", .enumeration("NotificationChannel"), doc: "The template's.").readOnly()
        Field(15, "beforeMinutes", .optional(.int64), doc: """
            N4: send this long before the event's own time (an appointment's or session's
            start) instead of after the event; a move re-plans it, a cancellation cancels it.
            """).minimum(0).maximum(43_200)
        Field(16, "purpose", .enumeration("ConsentPurpose"), doc: """
            C8, for a rule to contacts: `service` (the default) is sent unless they withdrew consent for its channel and \
            service; `marketing` only to those who gave consent for its channel and marketing.
            """).allowed("service", "marketing")
    }
    Message("NotificationRuleList", rest: [.output]) {
        Field(1, "rules", .repeated(.message("NotificationRule"))).named("items")
    }
    Message("OutboundMessageChange", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "status", .enumeration("OutboundStatus"))
        Field(3, "note", .string)
    }
    Message("OutboundMessage", doc: "N1: one message to one recipient over one channel, with everything that happened to it.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "ruleID", .int64)
        Field(3, "eventID", .string).named("eventId")
        Field(4, "eventType", .string)
        Field(5, "channel", .enumeration("NotificationChannel"))
        Field(6, "provider", .string)
        Field(7, "address", .string, doc: "Where it went: a chat id, a phone, a URL.")
        Field(8, "contactID", .optional(.int64))
        Field(9, "status", .enumeration("OutboundStatus"))
        Field(10, "attempts", .int64)
        Field(11, "dueAtMilliseconds", .int64).timestamp().named("dueAt")
        Field(12, "providerMessageID", .string).named("providerMessageId")
        Field(13, "costMinor", .int64)
        Field(14, "currency", .string)
        Field(15, "subject", .string)
        Field(16, "body", .string)
        Field(17, "history", .repeated(.message("OutboundMessageChange")))
        Field(18, "sourceKey", .string, doc: "What it is about (appointment-7): a change to it re-plans or cancels it.")
        Field(19, "createdAtMilliseconds", .int64).timestamp()
        Field(20, "country", .string, doc: "The recipient's country (ISO 3166-1 alpha-2) when its address is a phone number of a known country: what its cost was looked up by.")
        Field(21, "template", .optional(.message("WhatsAppTemplate")), doc: "WhatsApp: sent as this approved template instead of `body`.")
        Field(22, "attachmentName", .string, doc: "Email: the file attached (a scheduled report's CSV).")
        Field(23, "attachment", .string, doc: "The attached file's text.").hidden()
    }
    Message("WhatsAppTemplate", doc: "A template Meta approved, named and filled: the only message WhatsApp takes outside its 24-hour window.", rest: [.input, .output]) {
        Field(1, "name", .string).required().length(max: 512, min: 1).line()
        Field(2, "language", .string, doc: "Its language code as approved (en_US, ru, es).").required().length(max: 15, min: 2).line()
        Field(3, "parameters", .repeated(.string), doc: "The body's {{1}}, {{2}}, ... in order.").items(max: 20).length(max: 1000)
    }
    Message("ListOutboundMessagesRequest", rest: [.query]) {
        Field(1, "status", .enumeration("OutboundStatus"))
        Field(2, "ruleID", .optional(.int64)).named("ruleId").minimum(1)
        Field(3, "contactID", .optional(.int64)).named("contactId").minimum(1)
        Field(4, "beforeID", .optional(.int64), doc: "Paging: sends older than this id.").named("before").minimum(1)
        Field(5, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("OutboundMessageList", rest: [.output]) {
        Field(1, "sends", .repeated(.message("OutboundMessage"))).named("items")
    }
    Message("GetOutboundMessageRequest") {
        Field(1, "id", .int64)
    }
    Message("OptOutRequest", rest: [.input, .output], restName: "OptOut") {
        Field(1, "contactID", .int64).required().minimum(1)
        Field(2, "channel", .enumeration("NotificationChannel")).required()
        Field(3, "reason", .string).length(max: 500)
    }
    Message("WebhookSubscription", doc: "N1: an endpoint that gets events, signed per the Standard Webhooks spec.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "url", .string, doc: "http(s) URL the events are POSTed to; its host must be one the outbound policy allows (no private or loopback address unless an operator allowed it).").required().length(max: 1000, min: 1).inputSchema(httpURLSchema)
        Field(3, "eventTypes", .repeated(.string), doc: "Types it gets (`*`: all).").required().items(max: 100).length(max: 100, min: 1)
        Field(4, "description", .string).length(max: 500)
        Field(5, "secret", .string, doc: "`whsec_<base64>`: the signing key, in the answer to the create only.").readOnly()
        Field(6, "disabled", .bool, doc: "True: it gets nothing new (set by an admin, or after failing for 5 days).")
        Field(7, "failingSinceMilliseconds", .optional(.int64), doc: "Its first failure without a success since.").timestamp().readOnly()
        Field(8, "disabledAtMilliseconds", .optional(.int64), doc: "Disabled after failing for 5 days.").timestamp().readOnly()
        Field(9, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("WebhookSubscriptionList", rest: [.output]) {
        Field(1, "subscriptions", .repeated(.message("WebhookSubscription"))).named("items")
    }
    Enumeration("DeliveryStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "pending", doc: "Waiting for its next attempt.")
        Enumeration.Case(2, "delivered", doc: "A 2xx within 15 s.")
        Enumeration.Case(3, "dead", doc: "Every attempt of the schedule failed (or its endpoint is disabled).")
    }
    Message("DeliveryAttempt", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "responseStatus", .int64, doc: "The HTTP status (0: no answer).")
        Field(3, "error", .string)
        Field(4, "durationMilliseconds", .int64)
    }
    Message("WebhookDelivery", doc: "N1: one event for one endpoint; its webhook-id stays the same across attempts and replays.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "messageID", .string, doc: "The `webhook-id` header.").named("messageId")
        Field(3, "subscriptionID", .int64)
        Field(4, "eventType", .string)
        Field(5, "status", .enumeration("DeliveryStatus"))
        Field(6, "attempts", .repeated(.message("DeliveryAttempt")))
        Field(7, "nextAttemptAtMilliseconds", .optional(.int64)).timestamp()
        Field(8, "createdAtMilliseconds", .int64).timestamp()
        Field(9, "deliveredAtMilliseconds", .optional(.int64)).timestamp()
        Field(10, "payload", .string, doc: "The body sent (JSON).")
    }
    Message("ListDeliveriesRequest", rest: [.query]) {
        Field(1, "subscriptionID", .optional(.int64)).named("subscriptionId").minimum(1)
        Field(2, "status", .enumeration("DeliveryStatus"))
        Field(3, "beforeID", .optional(.int64)).named("before").minimum(1)
        Field(4, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("WebhookDeliveryList", rest: [.output]) {
        Field(1, "deliveries", .repeated(.message("WebhookDelivery"))).named("items")
    }
    Message("GetDeliveryRequest") {
        Field(1, "id", .int64)
    }
    Message("ReplayPeriodRequest", rest: [.input], restName: "ReplayPeriod") {
        Field(1, "subscriptionID", .int64).hidden()
        Field(2, "fromMilliseconds", .int64).timestamp().named("from").required()
        Field(3, "toMilliseconds", .int64, doc: "At most 31 days after from.").timestamp().named("to").required()
    }
    Message("ReplayPeriodResult", rest: [.output]) {
        Field(1, "replayed", .int64)
    }
    Message("InboundReply", doc: "N6: what a contact sent a bot: text, or the data of a button pressed.") {
        Field(1, "channel", .enumeration("NotificationChannel"))
        Field(2, "chatID", .string)
        Field(3, "text", .string)
        Field(4, "buttonData", .string)
        Field(5, "updateID", .string, doc: "The provider's id of the update: a repeat changes nothing.")
        Field(6, "atMilliseconds", .int64)
    }
    Message("UnsubscribeRequest") {
        Field(1, "token", .string, doc: "The last segment of the List-Unsubscribe link.")
        Field(2, "checkOnly", .bool, doc: "Only say whether the link is one this service made (not_found when not); nothing changes.")
    }
    Message("DeliveryStatusReport", doc: """
        N1: what a provider's delivery-status callback said (SMS.ru's api callback, WhatsApp's
        statuses), through the gateway's hook ledger.
        """) {
        Field(1, "channel", .enumeration("NotificationChannel"))
        Field(2, "updates", .repeated(.message("DeliveryStatusUpdate")))
    }
    Message("DeliveryStatusUpdate") {
        Field(1, "providerMessageID", .string, doc: "The id the provider gave when it took the message.")
        Field(2, "status", .enumeration("OutboundStatus"), doc: "sent (still on its way), delivered, read or undelivered.")
        Field(3, "atMilliseconds", .int64)
        Field(4, "detail", .string, doc: "The provider's words or code (SMS.ru 104, WhatsApp's error title).")
    }
    Message("DeliveryStatusOutcome") {
        Field(1, "applied", .int64, doc: "Sends whose status moved.")
        Field(2, "unchanged", .int64, doc: "Repeats and reports a later status already overtook (kept in the send's history).")
        Field(3, "unknown", .int64, doc: "Ids no send of that channel carries.")
    }
    Message("ReplyOutcome") {
        Field(1, "taken", .bool, doc: "False: no survey waits in that chat (kept as a note only).")
        Field(2, "note", .string)
    }
    Enumeration("SurveyStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "planned", doc: "Waiting for its time (10 minutes after the deal was won).")
        Enumeration.Case(2, "asking", doc: "Asked; waiting up to 24 hours for the answer.")
        Enumeration.Case(3, "answered")
        Enumeration.Case(4, "expired", doc: "No answer in 24 hours: it ends there.")
        Enumeration.Case(5, "skipped", doc: "Not asked: no messenger chat for the contact, or opted out.")
        Enumeration.Case(6, "failed", doc: "The messenger refused the question for good (an answer 4xx other than 429): it ends there, the reason in its note and the send log.")
    }
    Message("Survey", doc: "N6: an NPS survey after a won deal, a durable state machine: planned → asking → answered | expired.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "dealID", .int64)
        Field(3, "contactID", .int64)
        Field(4, "chatID", .string)
        Field(5, "status", .enumeration("SurveyStatus"))
        Field(6, "score", .optional(.int64), doc: "0–10.")
        Field(7, "dueAtMilliseconds", .int64).timestamp().named("dueAt")
        Field(8, "askedAtMilliseconds", .optional(.int64)).timestamp().named("askedAt")
        Field(9, "expiresAtMilliseconds", .optional(.int64)).timestamp().named("expiresAt")
        Field(10, "answeredAtMilliseconds", .optional(.int64)).timestamp().named("answeredAt")
        Field(11, "note", .string, doc: "What happened last (the follow-up task made, why it was skipped).")
        Field(12, "effectsDone", .bool, doc: "The score is saved on the deal (and the follow-up task made for 0–2).")
        Field(13, "comment", .string, doc: "What the client wrote after the score, within 24 hours of it (issue 26): the deal's `nps_comment`.")
    }
    Enumeration("ScheduledReportKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "leads", doc: "D7's lead report (GET /v1/reports/leads).")
        Enumeration.Case(2, "attribution", doc: "GET /v1/reports/attribution.")
        Enumeration.Case(3, "managers", doc: "GET /v1/reports/managers (the deals' figures; calls are in the live report).")
        Enumeration.Case(4, "nps", doc: "GET /v1/reports/nps.")
    }
    Enumeration("ReportPeriod") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "week", doc: "Sent on Mondays, for Monday to Sunday before.")
        Enumeration.Case(2, "month", doc: "Sent on the 1st, for the month before.")
    }
    Message("ScheduledReport", doc: "Issue 26 item 6: a report sent on a schedule.", rest: [.input, .output]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "kind", .enumeration("ScheduledReportKind")).required().allowed("leads", "attribution", "managers", "nps")
        Field(4, "groupBy", .string, doc: "The report's own groupBy (source, utm_campaign, responsible...); managers has none.").length(max: 50)
        Field(5, "field", .string, doc: "NPS grouped by a custom field: its name.").length(max: 100)
        Field(6, "currency", .string, doc: "Attribution and managers: their currency.").length(max: 3)
        Field(7, "every", .enumeration("ReportPeriod")).required().allowed("week", "month")
        Field(8, "hour", .int64, doc: "The hour of the business's day (SWITCHBOARD_TIME_ZONE) it goes out, 0–23.").minimum(0).maximum(23)
        Field(9, "staffIDs", .repeated(.int64), doc: "Staff it is emailed to, the CSV attached; each gets what they may see (G3).").named("staffIds").items(max: 50)
        Field(10, "telegramChat", .string, doc: "A Telegram chat its summary goes to (a managers' group).").length(max: 64)
        Field(11, "nextAtMilliseconds", .int64, doc: "When it goes next.").timestamp().readOnly()
        Field(12, "lastSentAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(13, "lastNote", .string, doc: "What the last sending did.").readOnly()
        Field(14, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("ScheduledReportList", rest: [.output]) {
        Field(1, "reports", .repeated(.message("ScheduledReport"))).named("items")
    }
    Message("ChannelHistoryRequest") {
        Field(1, "channel", .enumeration("NotificationChannel"))
    }
    Message("ScheduledReportRequest") {
        Field(1, "id", .int64)
    }
    Message("ListSurveysRequest", rest: [.query]) {
        Field(1, "dealID", .optional(.int64)).named("dealId").minimum(1)
        Field(2, "status", .enumeration("SurveyStatus"))
        Field(3, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("SurveyList", rest: [.output]) {
        Field(1, "surveys", .repeated(.message("Survey"))).named("items")
    }
    Enumeration("AlertMetric") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "missedCalls", doc: "call.missed events in the window.")
        Enumeration.Case(2, "lowQualityLeads", doc: "lead.low_quality events in the window.")
        Enumeration.Case(3, "failedPayments", doc: "payment.failed events in the window.")
        Enumeration.Case(4, "lowQualityShare", doc: "lead.low_quality per lead in the window, in percent (leads: deal.created from leads plus low-quality ones).")
        Enumeration.Case(5, "dialingQueue", doc: "Entries ready to dial now, summed over the telephony replicas' queue counts (NOTIFICATIONS_TELEPHONY), read at each check; the window does not apply.")
        Enumeration.Case(6, "stuckPayments", doc: "Payments still in attempt past billing's follow-up time (BILLING_STALE_ATTEMPT_MINUTES), read from billing (NOTIFICATIONS_BILLING) at each check, counted up to 500; the window does not apply.")
    }
    Enumeration("AlertState") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "inactive")
        Enumeration.Case(2, "pending", doc: "The condition holds, not yet for `forMinutes`.")
        Enumeration.Case(3, "firing")
    }
    Message("Alert", doc: "N5: when `metric` over the last `windowMinutes` is at least `threshold` for `forMinutes`, tell the chat; again every `repeatMinutes` while it holds; \"resolved\" when it stops.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "metric", .enumeration("AlertMetric")).required()
        Field(4, "threshold", .int64).required().minimum(1).maximum(1_000_000)
        Field(5, "windowMinutes", .int64, doc: "How far back the metric counts (60).").minimum(1).maximum(10_080)
        Field(6, "forMinutes", .int64, doc: "How long the condition must hold before it fires (0: at once).").minimum(0).maximum(10_080)
        Field(7, "repeatMinutes", .int64, doc: "How often it says so again while firing (240).").minimum(1).maximum(10_080)
        Field(8, "chatID", .string, doc: "The owner's Telegram chat.").named("chatId").required().length(max: 64, min: 1).oneLineName()
        Field(9, "disabled", .bool)
        Field(10, "state", .enumeration("AlertState")).readOnly()
        Field(11, "sinceMilliseconds", .optional(.int64), doc: "When the condition began to hold.").timestamp().readOnly()
        Field(12, "lastNotifiedAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(13, "lastValue", .int64).readOnly()
    }
    Message("AlertList", rest: [.output]) {
        Field(1, "alerts", .repeated(.message("Alert"))).named("items")
    }
    Enumeration("BotQuestionKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "choice", doc: "Inline buttons; each choice names the next question.")
        Enumeration.Case(2, "text", doc: "Free text; `next` names the next question.")
    }
    Message("BotChoice", rest: [.output, .input]) {
        Field(1, "label", .string).required().length(max: 64, min: 1).oneLineName()
        Field(2, "next", .string, doc: "The next question's key, or `end`.").required().length(max: 64, min: 1)
    }
    Message("BotQuestion", doc: "N6: one question of a flow.", rest: [.output, .input]) {
        Field(1, "questionKey", .string, doc: "Its name in the flow (unique).").named("key").required().length(max: 64, min: 1).slug()
        Field(2, "text", .string).required().length(max: 1000, min: 1).nonBlank()
        Field(3, "kind", .enumeration("BotQuestionKind")).required()
        Field(4, "choices", .repeated(.message("BotChoice")), doc: "For choice: 2 to 10.").items(max: 10)
        Field(5, "next", .string, doc: "For text: the next question's key, or `end`.").length(max: 64)
        Field(6, "field", .string, doc: "The deal's custom field the answer is saved in.").required().length(max: 100, min: 1).oneLineName()
    }
    Message("BotAnswers", doc: """
        N6: a qualification conversation's answers so far, kept with it until they are saved
        on the deal. Field 9 is the number UpdateDealRequest gave its custom fields before it
        became a field mask: answers kept before this message existed (as such a request) read the same.
        """) {
        Field(9, "fields", .repeated(.message("CustomField")))
    }
    Message("BotFlow", doc: "N6: a qualification bot for new leads: questions with branches, answers saved on the deal.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "first", .string, doc: "The first question's key.").required().length(max: 64, min: 1)
        Field(4, "questions", .repeated(.message("BotQuestion"))).required().items(min: 7, max: 12)
        Field(5, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("BotFlowList", rest: [.output]) {
        Field(1, "flows", .repeated(.message("BotFlow"))).named("items")
    }
    Message("ContactOptOutsRequest") {
        Field(1, "contactID", .int64)
    }
    Message("OptOutList", rest: [.output]) {
        Field(1, "optOuts", .repeated(.message("OptOutRequest"))).named("items")
    }
}

/// The event types notifications takes (its `EventCatalog`; NotificationsTests hold the
/// two together): what a template or rule may be for.
public let notificationEventTypes = [
    "deal.created", "deal.stage_changed", "deal.won", "deal.lost", "deal.updated", "task.overdue", "task.assigned", "lead.low_quality", "call.missed",
    "appointment.booked", "appointment.moved", "appointment.cancelled", "session.reminder_due",
    "payment.paid", "payment.failed", "payment.refunded", "subscription.past_due", "offer.confirmed",
    "note.mention",
    "message.received", "message.sent", "conversation.assigned",
]

let notificationEventTypeSchema = #"{"enum": ["# + notificationEventTypes.map { "\"\($0)\"" }.joined(separator: ", ") + "]}"

/// An http or https URL with a host and no credentials (the one outbound policy's first test).
let httpURLSchema = #"{"pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\u0000-\\u0020/?#@]+([/?#][^\\u0000-\\u0020]*)?$"}"#
