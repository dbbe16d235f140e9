import FoundationEssentials
import Glibc
import HTTP
import Sockets
import Synchronization

/// Sends spans to an OpenTelemetry collector over OTLP/HTTP with JSON bodies
/// (`POST /v1/traces`; Jaeger and the OpenTelemetry Collector take it), in batches, from
/// its own task: a request never waits for it. At most `capacity` spans wait; past that
/// new ones are dropped and counted, so a collector that is down costs memory bounded
/// by the capacity, never the system's work. Only `http://` collectors, reached through
/// the process's outbound policy.
public final class OTLPExporter: BackgroundService {
    let host: String
    let port: Int
    let target: String
    let service: String
    let client: HTTPClient
    let logger: Logger
    let capacity: Int
    private let queue = Mutex<(spans: [Span], dropped: Int)>(([], 0))
    private let wake = WakeSignal()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// The exporter `<PREFIX>_OTLP_ENDPOINT` names (nil when unset), through the process's
    /// outbound policy.
    public static func configured(_ environment: ServiceEnvironment, service: String, logger: Logger) throws(ConfigurationError) -> OTLPExporter? {
        let endpoint = environment.string(.otlpEndpoint)
        guard !endpoint.isEmpty else { return nil }
        let outbound = try OutboundPolicy.from(environment)
        if let (host, _, _) = parse(endpoint), let refusal = outbound.refusal(host: host) {
            throw ConfigurationError(variable: environment.name(of: .otlpEndpoint), problem: "is \"\(endpoint)\": \(refusal)")
        }
        guard let exporter = OTLPExporter(endpoint: endpoint, service: service, outbound: outbound, logger: logger) else {
            throw ConfigurationError(variable: environment.name(of: .otlpEndpoint), problem: "is \"\(endpoint)\": not an http://host:port/path URL")
        }
        return exporter
    }

    /// Nil with the reason when `endpoint` is not an `http://host:port/path` URL.
    public static func parse(_ endpoint: String) -> (host: String, port: Int, target: String)? {
        guard let url = URL(string: endpoint), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else { return nil }
        let path = url.path.isEmpty ? "/v1/traces" : url.path
        return (host, url.port ?? 4318, path)
    }

    public init?(endpoint: String, service: String, outbound: OutboundPolicy, logger: Logger, capacity: Int = 4096) {
        guard let (host, port, target) = Self.parse(endpoint) else { return nil }
        self.host = host
        self.port = port
        self.target = target
        self.service = service
        self.logger = logger
        self.capacity = capacity
        var configuration = HTTPClient.Configuration()
        configuration.outbound = outbound
        configuration.maxConnectionsPerHost = 2
        client = HTTPClient(configuration: configuration)
    }

    func add(_ span: Span) {
        let full = queue.withLock { state -> Bool in
            guard state.spans.count < capacity else {
                state.dropped += 1
                return true
            }
            state.spans.append(span)
            return state.spans.count >= 512
        }
        if full { wake.signal() }
    }

    public func start() {
        task.withLock { $0 = Task { await self.run() } }
    }

    /// Sends what still waits, then returns.
    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }

    /// Sends what waits every `interval` (sooner when 512 wait) until cancelled, then once more.
    func run(interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            await wake.wait(upTo: interval)
            await flush()
        }
        await flush()
        client.shutdown()
    }

    /// Sends every waiting span, 512 to a request.
    public func flush() async {
        while true {
            let (batch, dropped) = queue.withLock { state -> ([Span], Int) in
                let batch = Array(state.spans.prefix(512))
                state.spans.removeFirst(batch.count)
                defer { state.dropped = 0 }
                return (batch, state.dropped)
            }
            if dropped > 0 { logger.warn("spans dropped: the collector is not keeping up", ["dropped": "\(dropped)"]) }
            guard !batch.isEmpty else { return }
            let body = Array(Self.document(batch, service: service).utf8)
            let result = await client.send(
                "POST", host: host, port: port, target: target, headers: [("Content-Type", "application/json")], body: body, timeout: .seconds(5))
            switch result {
            case let .success(response) where (200..<300).contains(response.status): continue
            case let .success(response):
                logger.warn("span export refused", ["status": "\(response.status)", "spans": "\(batch.count)"])
                return
            case let .failure(error):
                logger.warn("span export failed", ["error": "\(error)", "spans": "\(batch.count)"])
                return
            }
        }
    }

    /// The OTLP/JSON `ExportTraceServiceRequest` of `spans` (ids in hex, times in
    /// nanoseconds as strings, as the protocol's JSON mapping says).
    static func document(_ spans: [Span], service: String) -> String {
        func attribute(_ key: String, _ value: String) -> String {
            "{\"key\":\(Logger.quoted(key)),\"value\":{\"stringValue\":\(Logger.quoted(value))}}"
        }
        func nanos(_ date: Date) -> String { "\"\(Int64(date.timeIntervalSince1970 * 1_000_000) * 1000)\"" }
        let items = spans.map { span -> String in
            var fields = [
                "\"traceId\":\"\(span.trace.traceID)\"", "\"spanId\":\"\(span.trace.spanID)\"", "\"name\":\(Logger.quoted(span.name))",
                "\"kind\":\(span.kind.rawValue)", "\"startTimeUnixNano\":\(nanos(span.start))", "\"endTimeUnixNano\":\(nanos(span.end))",
                "\"attributes\":[\(span.attributes.sorted { $0.key < $1.key }.map { attribute($0.key, $0.value) }.joined(separator: ","))]",
                "\"status\":{\"code\":\(span.failed ? 2 : 1)}",
            ]
            if let parent = span.parentSpanID { fields.append("\"parentSpanId\":\"\(parent)\"") }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[\(attribute("service.name", service))]},"
            + "\"scopeSpans\":[{\"scope\":{\"name\":\"switchboard\"},\"spans\":[\(items.joined(separator: ","))]}]}]}"
    }
}
