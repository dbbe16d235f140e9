import HTTP
import RPC
import Sockets

/// The small HTTP port every service has for operations: /livez (the loop answers),
/// /readyz (database open, migrations done, not draining), /metrics (Prometheus).
public final class AdminServer: Sendable {
    public let http: HTTPServer

    public init(host: String, port: Int, metrics: Metrics, rpc: RPCServer) {
        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.limits.maxBodyBytes = 0
        configuration.maxConnections = 64
        http = HTTPServer(configuration: configuration) { request in
            guard request.method == "GET" || request.method == "HEAD" else {
                return HTTPResponse(status: 405, contentType: "text/plain", body: "only GET\n")
            }
            switch request.path {
            case "/livez":
                return HTTPResponse(status: 200, contentType: "text/plain", body: "ok\n")
            case "/readyz":
                // The database opened and migrated before the RPC server started, so
                // serving Health means ready; draining turns it not_serving.
                let status = rpc.health(of: "")
                return status == .serving
                    ? HTTPResponse(status: 200, contentType: "text/plain", body: "ready\n")
                    : HTTPResponse(status: 503, contentType: "text/plain", body: "not ready: \(status)\n")
            case "/metrics":
                return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: metrics.render())
            default:
                return HTTPResponse(status: 404, contentType: "text/plain", body: "no such endpoint; try /livez, /readyz, /metrics\n")
            }
        }
    }

    public var port: Int { http.port }

    public func start() throws(SocketError) { try http.start() }
}
