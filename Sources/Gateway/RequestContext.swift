import Contracts
import HTTP
import JSON
import RPC
import Wire

/// What a route's handler gets: the request, who is calling, the time budget its calls
/// carry (G4) and the services to call.
struct RequestContext: Sendable {
    let api: GatewayAPI
    let request: HTTPRequest
    let parameters: [String: String]
    let requestID: String
    /// Deadline and metadata for every RPC this request makes.
    let options: CallOptions
    let role: APIKeyring.Role?
    /// Set for staff tokens (G3).
    let staffID: Int64?
    /// The credential's id, for a key made over the API.
    var credentialID: Int64? = nil
    /// The console session, when a person's session authenticated the request (G6).
    var session: PersonSessions.Held? = nil

    /// A positive id from the path, written in its one canonical way (`1`, not `01`,
    /// `+1` or `1.0`), so one resource has one path. One too large to be an id names
    /// nothing: not found.
    func id(_ name: String = "id") throws(RPCError) -> Int64 {
        let text = parameters[name] ?? ""
        guard let first = text.utf8.first, (49...57).contains(first), text.utf8.count <= 19, text.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .invalidArgument("\(name) must be a positive whole number written plainly, such as 12", details: [FieldViolation(field: name, description: "is \"\(text)\"")])
        }
        guard let id = Int64(text) else { throw .notFound("nothing has the id \(text)") }
        return id
    }

    /// The body read as `M` (strict JSON, generated reader).
    func body<M: RESTInput>(_ type: M.Type) throws(RPCError) -> M {
        try M(json: try RequestBody.object(request.body))
    }

    /// The body read as `M`, or `M`'s defaults when there is none.
    func optionalBody<M: RESTInput>(_ type: M.Type) throws(RPCError) -> M {
        request.body.isEmpty ? try M(json: JSONObject()) : try body(type)
    }

    func query<M: RESTQuery>(_ type: M.Type) throws(RPCError) -> M {
        try M(query: request.query)
    }

    /// Calls a service method with this request's budget. A service's invalid_argument
    /// means the request was well formed (the gateway checked the schema) but its values
    /// are not acceptable: it is answered 422, not 400.
    func call<Request, Response>(_ method: MethodDescriptor<Request, Response>, _ message: Request) async throws -> Response {
        try await call(method, message, on: api.services.client(for: method.service), options: options)
    }

    private func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ message: Request, on client: RPCClient, options: CallOptions
    ) async throws -> Response {
        let acting = try await self.options(actingFor: method.fullName, from: options)
        do {
            return try await client.call(method, message, options: acting)
        } catch let error as RPCError where error.code == .invalidArgument {
            throw UnacceptableValues(error: error)
        }
    }

    /// Calls a method every service serves (EventAdmin) on the service the path names
    /// (`{service}`); a name that is not a service names nothing: 404.
    func callService<Request, Response>(_ method: MethodDescriptor<Request, Response>, _ message: Request) async throws -> Response {
        let name = parameters["service"] ?? ""
        guard let client = api.services.client(named: name) else {
            throw RPCError.notFound("no service is named \"\(name)\"; the services are \(ServiceBinding.all.map(\.name).joined(separator: ", "))")
        }
        return try await call(method, message, on: client, options: options)
    }

    /// Runs the gateway's own check of values (its stores): invalid_argument there means
    /// well formed but not acceptable, 422, as from a service.
    func judgingValues<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as RPCError where error.code == .invalidArgument {
            throw UnacceptableValues(error: error)
        }
    }

    /// Calls every telephony replica at once; the answers in the replicas' order. Any
    /// replica's failure is the call's (503 for one not answering), as one by one, but
    /// the wait is the slowest replica's, not the sum.
    func callEvery<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor<Request, Response>, _ message: Request, of replicas: TelephonyReplicas
    ) async throws -> [Response] {
        try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for (_, index) in replicas.all {
                group.addTask { (index, try await call(method, message, replica: index, of: replicas)) }
            }
            var answers: [(Int, Response)] = []
            for try await answer in group { answers.append(answer) }
            return answers.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Calls one telephony replica. One that is down or does not answer within the
    /// budget makes 503 (Retry-After) for its numbers only, named so an operator knows
    /// which; for a moment after, its callers hear that at once instead of waiting.
    /// `timeout`: shorter than the request's budget, for a fan-out that must not wait on one replica.
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ message: Request, replica index: Int, of replicas: TelephonyReplicas, timeout: Duration? = nil
    ) async throws -> Response {
        let name = replicas.names[index]
        guard !replicas.isDown(index) else {
            throw RPCError(.unavailable, "telephony replica \(name) is not answering; its numbers are unavailable for now")
        }
        var options = self.options
        if let timeout {
            // The request's deadline still holds; with both set the earlier wins.
            options.timeout = timeout
            options.retry = RetryPolicy.none
        }
        do {
            let answer = try await call(method, message, on: replicas.client(index), options: options)
            replicas.markUp(index)
            return answer
        } catch let error as RPCError where [.unavailable, .deadlineExceeded].contains(error.code) {
            replicas.markDown(index)
            throw RPCError(.unavailable, "telephony replica \(name) is not answering (\(error.code.name): \(error.message))")
        } catch {
            // It answered, if only to refuse: it is up (a probe must never stay open).
            replicas.markUp(index)
            throw error
        }
    }

    /// What `call` answers, nil when it answers not_found: whether something exists, or
    /// is there for the caller (G3), without a catch at every place that asks.
    func found<T>(_ call: () async throws -> T) async throws -> T? {
        try await RPCError.nilIfNotFound(call)
    }

    /// C4: `id` must name a staff member (422 naming `field` otherwise).
    /// Who made a change, as the services record it: `staff:<id>` or `api:<role>`.
    var actor: String {
        staffID.map { "staff:\($0)" } ?? "api:\(role?.rawValue ?? "")"
    }

    /// The contact a request names must exist and be one the caller sees (G3); else the
    /// field error a person can act on (422).
    func requireContact(_ id: Int64) async throws {
        do {
            _ = try await call(Contacts.get, GetContactRequest(id: id, visibility: try await visibility()))
        } catch let error as RPCError where error.code == .notFound {
            throw UnacceptableValues(error: .invalidArgument("contact \(id) does not exist", details: [FieldViolation(field: "contactId", description: "is unknown")]))
        }
    }

    func requireStaff(_ id: Int64, field: String = "staffId") async throws {
        do {
            _ = try await call(Contacts.getStaff, GetStaffRequest(id: id))
        } catch let error as RPCError where error.code == .notFound {
            throw UnacceptableValues(error: .invalidArgument("staff member \(id) does not exist", details: [FieldViolation(field: field, description: "is not a staff member")]))
        }
    }

    /// `options` with the principal in its metadata.
    private func options(actingFor method: String, from options: CallOptions) async throws -> CallOptions {
        var acting = options
        acting.metadata[Principal.metadataKey] = try await principal(for: method).metadataValue
        return acting
    }

    /// Whom this request's calls act for (G3, issue 24 item 4): the services narrow a
    /// request that does not say what its caller sees to what the principal sees. Working
    /// out a staff member's team is itself a call: it acts for the member alone.
    func principal(for method: String) async throws -> Principal {
        guard let staffID else { return Principal(role: self.role?.rawValue ?? "none", credentialID: credentialID, visibility: nil) }
        let sees = method == Contacts.team.fullName ? Visibility(restricted: true, staffIDs: [staffID]) : try await visibility()
        return Principal(role: "staff", credentialID: credentialID, staffID: staffID, visibility: sees)
    }

    /// G3: what this caller sees (nil: everything).
    func visibility() async throws -> Visibility? {
        try await api.visibility(staffID: staffID, self)
    }
}

/// A service refused a schema-valid request for its values (422 Unprocessable Content).
struct UnacceptableValues: Error {
    let error: RPCError
}
