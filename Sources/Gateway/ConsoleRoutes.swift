import HTTP
import RPC
import Wire

/// Issue 27 item 1: the console, served by the gateway at `/` (the API stays under `/v1`):
/// its page and its files, revalidated with their ETags and sent gzip-compressed.
enum ConsoleRoutes {
    static let fileName = Route.PathParameter.text(pattern: "^[a-z0-9-]{1,64}\\.(html|css|js)$", description: "one of the console's files")
    static let media = ["text/html", "text/css", "text/javascript"]

    static let all: [Route] = [
        Route(
            method: "GET", path: "/", operationID: "console", access: .open, summary: "The console's page (issue 27): people work in Switchboard here",
            answers: [Route.Answer(status: 200, description: "the page", content: .html), Route.Answer(status: 304, description: "not modified", content: .none)]
        ) { ctx in
            try file("index.html", ctx)
        },
        Route(
            method: "GET", path: "/console/{file}", pathParameters: ["file": fileName], operationID: "consoleFile", access: .open,
            summary: "One of the console's files (HTML, CSS, JavaScript modules), with its ETag; gzip when asked",
            answers: [Route.Answer(status: 200, description: "the file", content: .file(media)), Route.Answer(status: 304, description: "not modified", content: .none)],
            errors: [404]
        ) { ctx in
            try file(ctx.parameters["file"] ?? "", ctx)
        },
    ]

    static func file(_ name: String, _ ctx: RequestContext) throws -> HTTPResponse {
        guard let response = ConsoleFiles.shipped.response(name, request: ctx.request) else { throw RPCError.notFound("the console has no file \(name)") }
        return response
    }
}
