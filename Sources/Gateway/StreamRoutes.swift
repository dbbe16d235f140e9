import Contracts
import Foundation
import HTTP
import RPC
import Wire

/// G6 (issue 27 item 4): `GET /v1/stream`, the console's live feed as Server-Sent Events:
/// new messages, tasks given, call-backs due, dialer changes and deal moves, each only to
/// those who may see it (G3). A browser's EventSource resumes after a drop with
/// `Last-Event-ID`; a comment every 25 seconds keeps proxies from closing the stream; it
/// ends after 30 minutes (the browser comes back at once) and as soon as the session or
/// token that opened it ends.
enum StreamRoutes {
    static let heartbeat: Duration = .seconds(25)
    static let lifetime: Duration = .seconds(30 * 60)
    /// How often a stream checks that its person may still see what it sees.
    static let recheck: Duration = .seconds(30)

    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/stream", operationID: "liveStream", access: .role(.reader),
            summary: """
                Server-Sent Events for the console (G6): `message`, `task`, `callback`, `dialer` and `deal` events the caller \\
                may see, each with an id to resume from (Last-Event-ID); `reset` when more was missed than the gateway keeps. \\
                Asks for Accept: text/event-stream (406 otherwise); at most 5 at once per person (429)
                """,
            answers: [Route.Answer(status: 200, description: "the stream", content: .eventStream)], errors: [406]
        ) { ctx in
            guard (ctx.request.header("Accept") ?? "").lowercased().contains("text/event-stream") else {
                return Problem.response(
                    status: 406, title: "Not Acceptable", detail: "this is a Server-Sent Events stream: send Accept: text/event-stream",
                    requestID: ctx.requestID)
            }
            let feed = ctx.api.live
            let visibility = try await ctx.visibility()
            let person = ctx.staffID.map { "staff:\($0)" } ?? "key:\(ctx.credentialID.map(String.init) ?? ctx.role?.rawValue ?? "")"
            guard let opened = feed.listen(person: person, visibility: visibility, after: ctx.request.header("Last-Event-ID")) else {
                return Problem.response(
                    status: 429, title: "Too Many Requests", detail: "\(feed.perPerson) live streams are open for you already; close a tab",
                    code: "resource_exhausted", requestID: ctx.requestID, headers: [("Retry-After", "30")])
            }
            var response = HTTPResponse(status: 200, headers: [
                ("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no"),
            ])
            response.stream = { stream in await run(opened, stream, ctx) }
            return response
        },
    ]

    /// Writes the stream until the client leaves, the lifetime ends or its credential does.
    static func run(_ opened: LiveFeed.Opened, _ stream: HTTPStream, _ ctx: RequestContext) async {
        let feed = ctx.api.live
        defer { feed.leave(opened.id) }
        var head = "retry: 3000\n\n"
        if opened.reset { head += "event: reset\ndata: {}\n\n" }
        for event in opened.missed { head += frame(event, feed) }
        guard stream.write(Array(head.utf8)) else { return }
        let ticks = Task {
            let started = ContinuousClock.now
            var checked = ContinuousClock.now
            while !Task.isCancelled && !stream.isClosed {
                try? await Task.sleep(for: heartbeat)
                guard !Task.isCancelled, ContinuousClock.now - started < lifetime, stillAllowed(ctx) else { break }
                if ContinuousClock.now - checked >= recheck {
                    checked = .now
                    if let visibility = try? await ctx.visibility() { feed.update(opened.id, visibility: visibility) }
                }
                guard stream.write(Array(": keep-alive\n\n".utf8)) else { break }
            }
            feed.leave(opened.id)
        }
        let watcher = Task {
            await stream.closed()
            feed.leave(opened.id)
        }
        for await event in opened.events {
            guard stream.write(Array(frame(event, feed).utf8)) else { break }
        }
        ticks.cancel()
        watcher.cancel()
        stream.finish()
    }

    static func frame(_ event: LiveEvent, _ feed: LiveFeed) -> String {
        "id: \(feed.eventID(event))\nevent: \(event.kind.rawValue)\ndata: \(String(decoding: event.data, as: UTF8.self))\n\n"
    }

    /// Whether the session or token that opened the stream still holds (sign-out,
    /// deactivation, revocation end the stream at its next tick).
    static func stillAllowed(_ ctx: RequestContext) -> Bool {
        if let held = ctx.session { return ctx.api.sessions?.holds(held.token) ?? false }
        guard let presented = GatewayAPI.bearerToken(ctx.request) else { return false }
        return ctx.api.keyring.credential(for: presented) != nil
    }
}
