import Contracts
import ContractServices
import Foundation
import RPC
import ServiceKit
import Synchronization
import Wire

/// G6 (issue 27 item 4): follows the services' outboxes for the live feed. Every
/// `interval` it asks each service (every telephony replica too) for the events it
/// committed since the last ask (`EventAdmin.Tail`, one call per service whatever the
/// number of people), turns them into ``LiveEvent``s and publishes them — while someone
/// has a stream open, and five minutes after (``LiveFeed/grace``). It starts at where each
/// outbox ends; a service that does not answer is asked again on the next pass, from where
/// it was.
final class LiveTail: BackgroundService {
    struct Source: Sendable {
        let name: String
        let client: RPCClient
        let types: [String]
    }

    let sources: [Source]
    let feed: LiveFeed
    let interval: Duration
    let logger: Logger
    private let cursors = Mutex<[String: [Int64]]>([:])
    private let down = Mutex<Set<String>>([])
    private let loop = BackgroundLoop()

    init(sources: [Source], feed: LiveFeed, interval: Duration, logger: Logger) {
        self.sources = sources
        self.feed = feed
        self.interval = interval
        self.logger = logger
    }

    func start() {
        loop.start { [self] in
            while !Task.isCancelled {
                await pass()
                await loop.wait(upTo: interval)
            }
        }
    }

    func stop() async {
        await loop.stop()
    }

    /// One pass: each source's outbox end is learnt once (at start, listened to or not);
    /// then every source is asked at once while someone listens, and for a while after.
    /// Events from before the listening began (after a quiet spell) are not sent.
    func pass() async {
        let (wanted, since) = feed.wanted()
        await withTaskGroup(of: Void.self) { group in
            for source in sources {
                let known = cursors.withLock { $0[source.name] != nil }
                if !known || wanted { group.addTask { await self.follow(source, publishingSince: known ? since : nil) } }
            }
        }
        feed.releaseDue(nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// `publishingSince`: nil to only learn where the outbox ends.
    private func follow(_ source: Source, publishingSince since: Int64?) async {
        var metadata = Metadata()
        metadata[Metadata.Key.caller] = "gateway"
        let options = CallOptions(timeout: .seconds(5), metadata: metadata, retry: nil)
        do {
            var request = TailRequest(cursors: cursors.withLock { $0[source.name] ?? [] }, types: source.types, limit: 500)
            // Drained in pages: a burst is sent in one pass.
            for _ in 0..<20 {
                let page = try await source.client.call(EventAdmin.tail, request, options: options)
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                if let since {
                    // A second of leeway for the services' clocks against the gateway's.
                    let fresh = page.events.filter { $0.occurredAtMilliseconds >= since - 1_000 }
                    feed.publish(fresh.flatMap(LiveEvent.from), nowMilliseconds: now)
                }
                cursors.withLock { $0[source.name] = page.cursors }
                guard since != nil, page.events.count == 500 else { break }
                request.cursors = page.cursors
            }
            if down.withLock({ $0.remove(source.name) }) != nil { logger.info("live feed follows again", ["source": source.name]) }
        } catch {
            if down.withLock({ $0.insert(source.name).inserted }) {
                logger.warn("live feed cannot follow a service; asking again", ["source": source.name, "error": "\(error)"])
            }
        }
    }
}
