import ContractSchema

/// The gateway's own messages: the credentials it keeps (issue 10 item 7), the
/// integrations that send it webhooks and the hooks they sent (G2). No service answers
/// them over the protocol; they are declared here so their JSON and OpenAPI come from
/// the same schema as everything else.
public let gatewayContract = ContractFile("Gateway") {
    Enumeration("CredentialRole", doc: "What a credential may do (G3): a key's role, or a staff member's token.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "admin", doc: "Everything, including merges, staff and credentials.")
        Enumeration.Case(2, "integration", doc: "An external system: reads and writes.")
        Enumeration.Case(3, "reader", doc: "Reads only.")
        Enumeration.Case(4, "staff", doc: "Acts as one staff member: integration rights, seeing what the member may see.")
    }
    Message("Credential", doc: "An API key or staff token the gateway accepts; its secret is shown once, when it is made.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "name", .string, doc: "Who or what it is for.")
        Field(3, "role", .enumeration("CredentialRole"))
        Field(4, "staffID", .optional(.int64), doc: "For staff tokens: the member it acts as.")
        Field(5, "prefix", .string, doc: "The secret's first characters, to tell credentials apart.")
        Field(6, "createdAtMilliseconds", .int64).timestamp()
        Field(7, "createdBy", .string)
        Field(8, "revokedAtMilliseconds", .optional(.int64)).timestamp()
        Field(9, "secret", .string, doc: "Only in the answer that made it: keep it, it is not stored.").omitEmpty()
    }
    Message("CreateCredentialRequest", rest: [.input], restName: "NewCredential") {
        Field(1, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(2, "role", .enumeration("CredentialRole")).required()
        Field(3, "staffID", .optional(.int64), doc: "Required for the staff role; refused for the others.").minimum(1)
    }
    Message("PersonData", doc: """
        P5: everything Switchboard holds about one person, from every service that holds it, in
        one document (GET /v1/contacts/{id}/export: a person's request to see their data).
        """, rest: [.output]) {
        Field(1, "contact", .message("Contact"), doc: "Their record (a deleted or merged one too, as it says).")
        Field(2, "attendance", .repeated(.message("Attendance")), doc: "Their tickets to events (C5).")
        Field(3, "timeline", .repeated(.message("TimelineEntry")), doc: "Everything on their timeline and their deals', newest first.")
        Field(4, "deals", .repeated(.message("Deal")))
        Field(5, "appointments", .repeated(.message("Appointment")), doc: "Their deals' appointments.")
        Field(6, "calls", .repeated(.message("CallSession")), doc: "Calls from or to any of their numbers, newest first.")
        Field(7, "conversations", .repeated(.message("Conversation")))
        Field(8, "messages", .repeated(.message("ConversationMessage")), doc: "Every message of those conversations, either way.")
        Field(9, "sends", .repeated(.message("OutboundMessage")), doc: "What was sent to them (the send log), newest first.")
        Field(10, "payments", .repeated(.message("Payment")), doc: "Their payments (money records).")
        Field(11, "incomplete", .repeated(.string), doc: "Sections that reached 10,000 items, by name: more may be held (empty: the document is whole).")
        Field(12, "exportedAtMilliseconds", .int64).timestamp()
        Field(13, "subscriptions", .repeated(.message("PaymentSubscription")), doc: "Their recurring payments (donations, courses).")
        Field(14, "balances", .repeated(.message("Balance")), doc: "Their prepaid lessons or months, per group (B4).")
        Field(15, "consents", .message("ContactConsents"), doc: "Their consents now and every word they gave (C8).")
        Field(16, "schedule", .message("ContactSchedule"), doc: "Their groups, series and attendance marks (S4–S6).")
        Field(17, "optOuts", .repeated(.message("OptOutRequest")), doc: "The channels they opted out of (N3).")
        Field(18, "surveys", .repeated(.message("Survey")), doc: "The NPS surveys of their deals (N6).")
        Field(19, "offers", .repeated(.message("Offer")), doc: "Their deals' offers and orders (B2).")
        Field(20, "doNotCall", .repeated(.message("DoNotCallEntry")), doc: "Their numbers on the dialer's do-not-call list (T10).")
        Field(21, "hooks", .repeated(.message("Hook")), doc: "Provider webhooks the gateway keeps whose body or headers name one of their phones or emails.")
    }
    Message("CredentialList", rest: [.output]) {
        Field(1, "credentials", .repeated(.message("Credential"))).named("items")
    }
    Message("SignIn", doc: "G6: a person signs in to the console with their staff email and password.", rest: [.input]) {
        Field(1, "email", .string).required().length(max: 254, min: 1)
        Field(2, "password", .string).required().length(max: 200, min: 1).writeOnly()
    }
    Message("InviteAcceptance", doc: "G6: the person an invite link was made for chooses their password (and is signed in).", rest: [.input]) {
        Field(1, "token", .string, doc: "The token of the invite link.").required().length(max: 100, min: 1)
        Field(2, "password", .string, doc: "10 to 200 characters, not only spaces, not their email.").required().length(max: 200, min: 1).writeOnly()
    }
    Message("PasswordChange", doc: "G6: a person changes their password; every session of theirs ends, this one starts anew.", rest: [.input]) {
        Field(1, "currentPassword", .string).required().length(max: 200, min: 1).writeOnly()
        Field(2, "newPassword", .string, doc: "10 to 200 characters, not only spaces, not their email.").required().length(max: 200, min: 1).writeOnly()
    }
    Message("PersonSession", doc: """
        G6: the person signed in through this browser's session cookie, and the token every write of theirs must carry in \
        `X-CSRF-Token`.
        """, rest: [.output]) {
        Field(1, "staffID", .int64)
        Field(2, "firstName", .string)
        Field(3, "lastName", .string)
        Field(4, "role", .enumeration("StaffRole"))
        Field(5, "email", .string)
        Field(6, "csrfToken", .string, doc: "Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.")
        Field(7, "expiresAtMilliseconds", .int64, doc: "When the session ends whatever happens (GATEWAY_SESSION_HOURS after sign-in).").timestamp()
        Field(8, "idleMinutes", .int64, doc: "A session unused this long ends (GATEWAY_SESSION_IDLE_MINUTES).")
    }
    Message("WorkstationCard", doc: """
        G6 (T10, 004): what an operator works a queue entry with, in one answer: the entry, its lead, the lead's contact and \
        deal with the deal's latest timeline, and the calling hours. The leaseholder and the operator a call-back is kept for \
        see it whatever the deal's responsible (the lease is the right); anyone else, as if it did not exist.
        """, rest: [.output]) {
        Field(1, "entry", .message("QueueEntry"))
        Field(2, "lead", .message("LeadReceipt"))
        Field(3, "contact", .optional(.message("Contact")))
        Field(4, "deal", .optional(.message("Deal")))
        Field(5, "timeline", .repeated(.message("TimelineEntry")), doc: "The deal's latest 20 entries, newest first.")
        Field(6, "callingHourFrom", .int64, doc: "The lead's local hour calls may start.")
        Field(7, "callingHourTo", .int64, doc: "The lead's local hour calls must end by.")
    }
    Message("StaffInvite", doc: "G6: a one-time link for a staff member to choose their password; shown once.", rest: [.output]) {
        Field(1, "staffID", .int64)
        Field(2, "token", .string, doc: "The secret of the link: kept only as its digest.")
        Field(3, "path", .string, doc: "The console's address for it: `/#invite=<token>`, after the gateway's origin.")
        Field(4, "expiresAtMilliseconds", .int64).timestamp()
    }
    Enumeration("IntegrationKind", doc: "The provider an integration's webhooks come from; it decides how they are authenticated and answered (G2).") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "timepad", doc: "Timepad order and ticket hooks (C5): `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`.")
        Enumeration.Case(2, "cloudpayments", doc: "CloudPayments notifications: `Content-HMAC: <base64 HMAC-SHA256 of the body>`; answered `{\"code\":0}`.")
        Enumeration.Case(3, "whatsapp", doc: "WhatsApp Cloud API: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.")
        Enumeration.Case(4, "ringostat", doc: "Ringostat call hooks: unsigned, so the URL carries the integration's token; answered 200 with an empty body.")
        Enumeration.Case(5, "amocrm", doc: "amoCRM webhooks: unsigned, token in the URL.")
        Enumeration.Case(6, "bitrix24", doc: "Bitrix24 outgoing webhooks: unsigned, token in the URL.")
        Enumeration.Case(7, "leyka", doc: "Leyka donation status changes forwarded by the site (B3): unsigned, token in the URL.")
        Enumeration.Case(8, "telegram", doc: "Telegram bot Updates (N6): `X-Telegram-Bot-Api-Secret-Token` is the secret given to setWebhook.")
        Enumeration.Case(9, "smsru", doc: "SMS.ru's api callback with delivery statuses (N1): unsigned, so the URL carries the integration's token; answered `100`.")
    }
    Message("Integration", doc: "A provider that sends webhooks to `hookPath` (G2).", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "name", .string, doc: "Its name in the hook URL.")
        Field(3, "kind", .enumeration("IntegrationKind"))
        Field(4, "hookPath", .string, doc: "The path to give the provider: `/v1/hooks/<name>`, plus `/<token>` for providers that sign nothing.")
        Field(5, "maxBodyBytes", .int64)
        Field(6, "apiBaseURL", .string, doc: "Where its API is, for pulls (Timepad's resync).").named("apiBaseUrl")
        Field(7, "hasAPIToken", .bool).named("hasApiToken")
        Field(8, "createdAtMilliseconds", .int64).timestamp()
        Field(9, "createdBy", .string)
        Field(10, "revokedAtMilliseconds", .optional(.int64)).timestamp()
        Field(11, "secret", .string, doc: "Only in the answer that made it, when the gateway chose it (the URL token): keep it.").omitEmpty()
        Field(12, "accountID", .string, doc: "The provider's account pulls are scoped to (Timepad: the organization id).").named("accountId")
        Field(13, "paymentsOpen", .enumeration("PaymentOpens"), doc: "cloudpayments, leyka: what a paid payment naming no deal or group opens in deals (absent for other kinds).").omitEmpty()
        Field(14, "verifyToken", .string, doc: """
            whatsapp: the Verify Token to enter with the callback URL in Meta's webhook setup (its GET handshake echoes
            `hub.challenge` only for it); only in the answer that made the integration: keep it.
            """).omitEmpty()
        Field(15, "pushBack", .bool, doc: "amocrm, bitrix24 (G7): Switchboard's stage changes and new deals are sent to it through its API.")
    }
    Message("CreateIntegrationRequest", rest: [.input], restName: "NewIntegration") {
        Field(1, "name", .string).required().length(max: 60, min: 1).slug()
        Field(2, "kind", .enumeration("IntegrationKind")).required()
        Field(3, "secret", .string, doc: """
            The provider's signing secret, for the kinds that sign (timepad, cloudpayments,
            whatsapp): required for those. For the others leave it out: the gateway makes a
            long random token for the URL and shows it once. At least 16 characters, not
            blank; Telegram's secret_token is 16 to 256 of A-Z, a-z, 0-9, _ and -.
            """).length(max: 500, min: 16).oneLineName()
        Field(4, "maxBodyBytes", .int64, doc: "Largest hook accepted (default 262144).").minimum(1024).maximum(1_048_576)
        Field(5, "apiBaseURL", .string, doc: "Its API's base URL, for pulls (Timepad: https://api.timepad.ru).").named("apiBaseUrl").length(max: 500)
        Field(6, "apiToken", .string, doc: "A token for its API (sent as a bearer token on pulls).").length(max: 500)
        Field(7, "accountID", .string, doc: "The provider's account pulls are scoped to (Timepad: the organization id, digits).").named("accountId").length(max: 50).digits()
        Field(8, "paymentsOpen", .enumeration("PaymentOpens"), doc: "cloudpayments and leyka only: what a paid payment naming no deal or group opens in deals — `donations` (the default), `orders` or `nothing`.").allowed("donations", "orders", "nothing")
        Field(9, "pushBack", .bool, doc: """
            amocrm and bitrix24 only (G7): send Switchboard's stage changes and new deals to it through its API (apiBaseUrl, \
            apiToken), so whichever system a manager uses both agree; a change that came from it is never sent back.
            """)
    }
    Message("IntegrationChange", doc: """
        Issue 26: what changes in an integration (its name and kind stay: hooks refer to them). What is left out stays.
        """, rest: [.input]) {
        Field(1, "secret", .optional(.string), doc: "The provider's new signing secret (the kinds that sign): the old one is refused from now.").length(max: 500, min: 16).oneLineName()
        Field(2, "newToken", .bool, doc: "The kinds that sign nothing: a new URL token, shown once; the old URL is refused from now.")
        Field(3, "apiToken", .optional(.string), doc: "A new token for its API (empty: none).").length(max: 500)
        Field(4, "apiBaseURL", .optional(.string), doc: "Its API's base URL.").named("apiBaseUrl").length(max: 500)
        Field(5, "pushBack", .optional(.bool), doc: "amocrm, bitrix24 (G7): send Switchboard's stage changes and new deals to it.")
    }
    Message("IntegrationList", rest: [.output]) {
        Field(1, "integrations", .repeated(.message("Integration"))).named("items")
    }
    Enumeration("HookStatus", doc: "Where a stored webhook stands (G2).") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "pending", doc: "Stored; on its way to the service that owns it.")
        Enumeration.Case(2, "delivered", doc: "The service took it.")
        Enumeration.Case(3, "failed", doc: "It could not be translated or the service refused it: kept with the reason, replayable.")
        Enumeration.Case(4, "discarded", doc: "A failed hook an admin gave up on: kept with who, when and why; still replayable.")
    }
    Message("Hook", doc: "A webhook as it arrived, and what became of it.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "integration", .string)
        Field(3, "kind", .enumeration("IntegrationKind"))
        Field(4, "receivedAtMilliseconds", .int64).timestamp()
        Field(5, "status", .enumeration("HookStatus"))
        Field(6, "attempts", .int64)
        Field(7, "lastError", .string).omitEmpty()
        Field(8, "deliveredAtMilliseconds", .optional(.int64)).timestamp()
        Field(9, "contentType", .string)
        Field(10, "body", .string, doc: "The body as received (bytes that are not UTF-8 shown as U+FFFD).")
        Field(11, "origin", .string, doc: "`webhook`, or `pull` for what a resync fetched.")
        Field(12, "discardedBy", .string, doc: "Who discarded it (`staff:<id>` or `api:<role>`).").omitEmpty()
        Field(13, "discardedAtMilliseconds", .optional(.int64)).timestamp()
        Field(14, "discardReason", .string).omitEmpty()
    }
    Message("DiscardHookRequest", doc: "Why a failed hook is given up on (kept with it).", rest: [.input], restName: "HookDiscard") {
        Field(1, "id", .int64).hidden()
        Field(2, "reason", .string, doc: "Why (\"amoCRM hooks are not used here\").").length(max: 500).oneLineName()
    }
    Message("ListHooksRequest", rest: [.query]) {
        Field(1, "integration", .string).length(max: 60)
        Field(2, "status", .enumeration("HookStatus"))
        Field(3, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(4, "cursor", .string).length(max: 200)
    }
    Message("HookList", rest: [.output]) {
        Field(1, "hooks", .repeated(.message("Hook"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("ResyncOutcome", doc: "What a pull from the provider fetched and stored for delivery.", rest: [.output]) {
        Field(1, "fetched", .int64, doc: "Records the provider listed (Timepad: orders).")
        Field(2, "stored", .int64, doc: "Hooks stored from them (each goes the webhook's way; a repeat changes nothing).")
        Field(3, "events", .int64, doc: "Events looked at (a reconciliation over a period).")
    }
    Message("ReconcileRequest", doc: "The period a reconciliation pulls the provider's log for (default: the last 48 hours).", rest: [.query]) {
        Field(1, "fromMilliseconds", .optional(.int64)).timestamp().named("from")
        Field(2, "toMilliseconds", .optional(.int64)).timestamp().named("to")
    }
}
