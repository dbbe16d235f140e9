import Foundation
import FoundationNetworking
import HTTP
import ServiceKit
import Sockets
import URLSessionCalls

/// One HTTP request to a provider or an endpoint, answered within `timeout`: the status
/// and body, or why there was none. Redirects are not followed (a webhook's 3xx is not a
/// 2xx). `https://` goes through FoundationNetworking's URLSession (TLS, the system's
/// trust store); plain `http://` (a local provider, a relay, an in-cluster receiver)
/// through the project's own keep-alive ``HTTPClient``, which carries several times the
/// requests per second URLSession does on the same cores. Every address it connects to
/// passes the outbound policy: the plain client checks the address it connects to after
/// DNS; for https the name is resolved and checked just before URLSession resolves it
/// again (a name that flips between the two lookups is the one gap left).
public struct ProviderClient: Sendable {
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest) async -> URLRequest? { nil }
    }

    let session: URLSession
    let plain: HTTPClient
    let outbound: OutboundPolicy
    /// Roots to trust besides the system's where the service speaks TLS itself (an SMTP
    /// relay with a private CA): a PEM file, NOTIFICATIONS_SMTP_CA_FILE.
    let extraRoots: String?

    public init(maxConnectionsPerHost: Int = 64, outbound: OutboundPolicy, extraRoots: String? = nil) {
        self.outbound = outbound
        self.extraRoots = extraRoots
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        var plainConfiguration = HTTPClient.Configuration()
        plainConfiguration.maxConnectionsPerHost = maxConnectionsPerHost
        plainConfiguration.outbound = outbound
        plain = HTTPClient(configuration: plainConfiguration)
    }

    public func post(_ url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async -> Result<Answer, ProviderFailure> {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https", let host = target.host, !host.isEmpty else {
            return .failure(ProviderFailure("\(url) is not an http(s) URL", retry: false))
        }
        if target.scheme == "http" {
            // The path and query exactly as written (URL.path would decode %2F and drop ";").
            let components = URLComponents(url: target, resolvingAgainstBaseURL: false)
            let path = components?.percentEncodedPath ?? ""
            let query = components?.percentEncodedQuery.map { "?" + $0 } ?? ""
            let origin = (path.isEmpty ? "/" : path) + query
            switch await plain.send("POST", host: host, port: target.port ?? 80, target: origin, headers: headers, body: body, timeout: timeout) {
            case let .success(response): return .success(Answer(status: response.status, body: response.body))
            case let .failure(error): return .failure(ProviderFailure("\(host) did not answer: \(error.message)", retry: true))
            }
        }
        if let refusal = await outbound.refusalResolving(host: host) { return .failure(ProviderFailure(refusal, retry: false)) }
        var request = URLRequest(url: target, timeoutInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        request.httpMethod = "POST"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(body)
        do {
            let (data, response) = try await session.dataUncancelled(for: request)
            return .success(Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: Array(data)))
        } catch {
            return .failure(ProviderFailure("\(host) did not answer: \(error.localizedDescription)", retry: true))
        }
    }
}

/// Why a provider did not take a message; `retry`: worth another attempt.
public struct ProviderFailure: Error, Sendable {
    public let message: String
    public let retry: Bool
    public init(_ message: String, retry: Bool) {
        self.message = message
        self.retry = retry
    }
}
