import Contracts
import Foundation
import HTTP
import RPC
import Wire

/// The inbox (D5, issue 25): WhatsApp and Telegram conversations, their messages, read
/// marks and assignees. Notifications keeps them and applies G3 itself (the principal
/// travels with each call): a restricted person sees those assigned to them or their team
/// and the unassigned ones; another answers 404 as if it did not exist.
enum ConversationRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/deals/{id}/notes", operationID: "addDealNote", access: .role(.integration),
            summary: "A note on the deal's timeline (D5); each staff member in `mentions` is told (note.mention)",
            body: Note.openAPIInputSchema, example: #"{"text":"Asked for a quote for 3 windows; @Olga please call back","mentions":[1]}"#,
            answers: [Route.answer(201, "the note", Note.self)], errors: [404, 422]
        ) { ctx in
            var note = try ctx.body(Note.self)
            note.dealID = try ctx.id()
            note.visibility = try await ctx.visibility()
            return Reply.json(201, try await ctx.call(Deals.addNote, note))
        },
        Route(
            method: "POST", path: "/v1/contacts/{id}/notes", operationID: "addContactNote", access: .role(.integration),
            summary: "A note on the contact's timeline (D5); each staff member in `mentions` is told (note.mention)",
            body: Note.openAPIInputSchema, example: #"{"text":"Prefers WhatsApp after 18:00"}"#,
            answers: [Route.answer(201, "the note", Note.self)], errors: [404, 422]
        ) { ctx in
            var note = try ctx.body(Note.self)
            note.contactID = try ctx.id()
            note.visibility = try await ctx.visibility()
            return Reply.json(201, try await ctx.call(Deals.addNote, note))
        },
        Route(
            method: "PUT", path: "/v1/notes/{id}", operationID: "editNote", access: .role(.integration),
            summary: "Its author (an admin, for a note written with an API key) changes a note within 15 minutes of writing it (409 after, 403 for anyone else); earlier texts stay in its history",
            body: EditNoteRequest.openAPIInputSchema, example: #"{"text":"Asked for a quote for 4 windows"}"#,
            answers: [Route.answer(200, "the note", Note.self)], errors: [403, 404, 409, 422]
        ) { ctx in
            var edit = try ctx.body(EditNoteRequest.self)
            edit.id = try ctx.id()
            edit.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.editNote, edit))
        },
        Route(
            method: "POST", path: "/v1/deals/{id}/telegram-link", operationID: "telegramLink", access: .role(.integration),
            summary: "A Telegram deep link for the deal's contact (N6): single use, 7 days; opening it binds their chat and starts the qualification bot",
            bodyRequired: false, answers: [Route.answer(201, "the link", StartLink.self)], errors: [404, 409]
        ) { ctx in
            Reply.json(201, try await ctx.call(Notifications.startLink, StartLinkRequest(dealID: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/conversations", operationID: "listConversations", access: .role(.reader),
            summary: "Conversations, the latest message first: `mine` (a staff token's), `unassigned`, `unread`, by `channel`",
            query: ListConversationsRequest.queryParameters, answers: [Route.answer(200, "conversations", ConversationPage.self)], errors: [422]
        ) { ctx in
            var request = try ctx.query(ListConversationsRequest.self)
            if request.mine {
                guard let staff = ctx.staffID else {
                    throw UnacceptableValues(error: .invalidArgument("mine is a staff member's: use a staff token", details: [FieldViolation(field: "mine", description: "needs a staff token")]))
                }
                request.staffID = staff
            }
            return Reply.json(200, try await ctx.call(Notifications.listConversations, request))
        },
        Route(
            method: "GET", path: "/v1/conversations/{id}/messages", operationID: "conversationMessages", access: .role(.reader),
            summary: "A conversation's messages in both directions, newest first", query: ConversationMessagesRequest.queryParameters,
            answers: [Route.answer(200, "messages", ConversationMessagePage.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.query(ConversationMessagesRequest.self)
            request.conversationID = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.conversationMessages, request))
        },
        Route(
            method: "POST", path: "/v1/conversations/{id}/messages", operationID: "replyInConversation", access: .role(.integration),
            summary: "Answer over the conversation's channel through the send log (N1); WhatsApp takes text within 24 hours of the person's last message, an approved template after (409 otherwise)",
            body: ConversationReply.openAPIInputSchema, example: #"{"text":"Yes, we have an evening group at 19:00"}"#,
            answers: [Route.answer(201, "queued; its status follows the send's", ConversationMessage.self, headers: ["Location"])], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(ConversationReply.self)
            request.conversationID = try ctx.id()
            request.sentBy = ctx.staffID
            let message = try await ctx.call(Notifications.reply, request)
            return Reply.created(message, at: "/v1/conversations/\(message.conversationID)/messages")
        },
        Route(
            method: "POST", path: "/v1/conversations/{id}/read", operationID: "markConversationRead", access: .role(.integration),
            summary: "Nothing unread in the conversation any more", bodyRequired: false,
            answers: [Route.answer(200, "the conversation", Conversation.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.markConversationRead, ConversationRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/conversations/{id}/close", operationID: "closeConversation", access: .role(.integration),
            summary: "Done with for now (`state=closed` lists it); the person's next message, or an answer, opens it again", bodyRequired: false,
            answers: [Route.answer(200, "the conversation", Conversation.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Notifications.closeConversation, ConversationRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/conversations/{id}/assign", operationID: "assignConversation", access: .role(.integration),
            summary: "Hand the conversation to a staff member (conversation.assigned)", body: AssignConversationRequest.openAPIInputSchema,
            example: #"{"assigneeId":2}"#, answers: [Route.answer(200, "the conversation", Conversation.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.body(AssignConversationRequest.self)
            request.id = try ctx.id()
            return Reply.json(200, try await ctx.call(Notifications.assignConversation, request))
        },
    ]
}
