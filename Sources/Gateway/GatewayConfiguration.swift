import Contracts
import Digest
import Foundation
import HTTP
import RPC
import ServiceKit
import Sockets

/// The gateway's settings read once, at start, from its declared variables
/// (``GatewayDefinition``): a bad value stops the start naming the variable.
struct GatewayConfiguration {
    let endpoints: [String: Endpoint]
    /// The services /readyz waits for: the required ones and any named.
    let awaited: Set<String>
    let telephony: [(name: String, endpoint: Endpoint)]?
    let telephonyShards: Int
    let callNumbers: CallNumber
    let keyring: APIKeyring
    let outbound: OutboundPolicy
    let dataDirectory: String
    let timeout: Int
    let grace: Int
    let reactorCount: Int
    let reconcileHours: Int
    let hookRetentionDays: Int
    let auditRetentionDays: Int
    /// P5: whether the audit log records (off only to measure its cost).
    let audits: Bool
    let api: GatewayAPI.Configuration
    let http: HTTPServer.Configuration

    typealias D = GatewayDefinition

    init(_ environment: ServiceEnvironment) throws(StartFailure) {
        func invalid(_ error: ConfigurationError) -> StartFailure { StartFailure(description: "invalid configuration: \(error)") }
        do throws(ConfigurationError) {
            let port = try environment.int(D.port)
            timeout = try environment.int(D.timeout)
            let rateLimit = try environment.int(D.rateLimit)
            var api = GatewayAPI.Configuration()
            api.requestTimeout = .milliseconds(timeout)
            api.rateLimit = Double(rateLimit)
            api.rateBurst = Double(try environment.int(D.rateBurst, fallback: 2 * rateLimit))
            api.authFailuresPerMinute = Double(try environment.int(D.authFailures))
            let metricsAuth = environment.string(D.metricsAuth)
            guard ["admin", "none"].contains(metricsAuth) else {
                throw ConfigurationError(variable: environment.name(of: D.metricsAuth), problem: "is \"\(metricsAuth)\"; expected admin or none")
            }
            api.metricsNeedAdmin = metricsAuth == "admin"
            api.routeFallback = environment.string(D.routeFallback)
            api.routeTimeout = .milliseconds(try environment.int(D.routeTimeout))
            api.dialerReplicaWait = .milliseconds(try environment.int(D.dialerReplicaWait))
            _ = try environment.timeZone()  // an unknown zone stops the start
            api.timeZone = environment.string(.timeZone)
            api.sessionPolicy = SessionPolicy(
                idle: TimeInterval(try environment.int(D.sessionIdle) * 60), absolute: TimeInterval(try environment.int(D.sessionHours) * 3600),
                inviteLifetime: TimeInterval(try environment.int(D.inviteHours) * 3600))
            api.passwordCost = PasswordHash(logN: try environment.int(D.passwordCost), r: 8, p: 1)
            self.api = api

            var http = HTTPServer.Configuration(host: environment.string(D.host), port: port)
            http.limits.maxBodyBytes = try environment.int(D.maxBody)
            // G7: an import's file comes in parts of up to 8 MiB; every other body keeps the limit.
            let bodyLimit = http.limits.maxBodyBytes
            http.bodyLimit = { request in
                request.method == "POST" && request.path.hasPrefix("/v1/imports") ? max(ImportJobs.maximumPartBytes, bodyLimit) : bodyLimit
            }
            http.requestReadTimeout = .milliseconds(try environment.int(D.readTimeout))
            http.idleTimeout = .milliseconds(try environment.int(D.idleTimeout))
            http.maxConnections = try environment.int(D.maxConnections)
            http.maxConnectionsPerAddress = try environment.int(D.maxPerAddress)
            http.firstByteTimeout = .milliseconds(try environment.int(D.firstByteTimeout))
            http.errorResponse = { status, reason, headers in
                Problem.response(status: status, title: HTTPResponse.reason(status), detail: reason, requestID: RequestIDGenerator.next(), headers: headers)
            }
            self.http = http

            grace = try environment.int(D.grace)
            reactorCount = try environment.int(D.reactors)
            reconcileHours = try environment.int(D.reconcileHours)
            hookRetentionDays = try environment.int(D.hookRetention)
            auditRetentionDays = try environment.int(D.auditRetention)
            switch environment.string(D.audit, fallback: "on") {
            case "on": audits = true
            case "off": audits = false
            case let other: throw ConfigurationError(variable: environment.name(of: D.audit), problem: "is \"\(other)\"; use on or off")
            }
            api.traceRatio = Double(try environment.int(D.traceRatio)) / 100
            telephonyShards = try environment.int(D.telephonyShards)
            callNumbers = try environment.callNumbers()
            outbound = try OutboundPolicy.from(environment)
            (endpoints, awaited) = try Self.services(environment)
            let replicas = environment.string(D.telephony)
            telephony = replicas.isEmpty ? nil : TelephonyReplicas.parse(replicas)
            if !replicas.isEmpty && telephony == nil {
                throw ConfigurationError(
                    variable: environment.name(of: D.telephony), problem: "is \"\(replicas)\"; expected name=host:port,... with distinct names")
            }
        } catch {
            throw invalid(error)
        }
        do {
            keyring = try APIKeyring(parsing: environment.string(D.apiKeys))
        } catch {
            throw StartFailure(description: "\(environment.name(of: D.apiKeys)): \(error)")
        }
        dataDirectory = environment.string(D.dataDirectory)
    }

    /// `GATEWAY_SERVICES=name=host:port,...` and, for each service it leaves out, the
    /// service's own variable or its default port.
    static func services(_ environment: ServiceEnvironment) throws(ConfigurationError) -> ([String: Endpoint], Set<String>) {
        var endpoints: [String: Endpoint] = [:]
        var awaited = Set(ServiceBinding.all.filter { !$0.optional }.map(\.id))
        for entry in environment.string(D.services).split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let binding = ServiceBinding.all.first(where: { $0.name == parts[0] }), let endpoint = Endpoint(parsing: parts[1])
            else {
                throw ConfigurationError(
                    variable: environment.name(of: D.services),
                    problem: "has \"\(entry)\"; expected name=host:port with a name of \(ServiceBinding.all.map(\.name).joined(separator: ", "))")
            }
            // The service's certificate names it.
            endpoints[binding.id] = Endpoint(host: endpoint.host, port: endpoint.port, name: binding.name)
            awaited.insert(binding.id)
        }
        for binding in ServiceBinding.all where endpoints[binding.id] == nil {
            if !(environment.values[environment.name(of: binding.setting)] ?? "").isEmpty { awaited.insert(binding.id) }
            let endpoint = try environment.endpoint(binding.setting)
            endpoints[binding.id] = Endpoint(host: endpoint.host, port: endpoint.port, name: binding.name)
        }
        return (endpoints, awaited)
    }
}
