import Contracts
import Foundation
import Wire

/// The generated codec's cost (issue 10): encoding and decoding one Deal with every
/// field set, nanoseconds per operation, on one thread.
enum CodecBench {
    /// Built field by field (not with the memberwise init) so the same file measures
    /// the hand-written contracts of earlier commits too.
    static func sampleDeal() -> Deal {
        var deal = Deal()
        deal.id = 1_234_567
        deal.title = "Windows for the dacha, three rooms"
        deal.contactID = 98_765
        deal.pipelineID = 3
        deal.stageID = 12
        deal.status = .open
        deal.amountMinor = 15_000_000
        deal.currency = "RUB"
        deal.responsibleID = 42
        deal.source = "web"
        var rooms = CustomField()
        rooms.name = "rooms"
        rooms.value = "3"
        var floor = CustomField()
        floor.name = "floor"
        floor.value = "2"
        deal.customFields = [rooms, floor]
        deal.scheduledAtMilliseconds = 1_780_000_000_000
        deal.lossReason = "chose a competitor"
        deal.createdAtMilliseconds = 1_779_000_000_000
        deal.closedAtMilliseconds = 1_781_000_000_000
        deal.stageEnteredAtMilliseconds = 1_779_500_000_000
        deal.leadID = 555
        return deal
    }

    static func run(options: BenchOptions) -> [BenchResult] {
        let deal = sampleDeal()
        let bytes = deal.wireBytes()
        let seconds = Double(options.duration.components.seconds)
        var sink = 0
        let encode = measure(seconds: seconds / 2) { sink &+= deal.wireBytes().count }
        let decode = measure(seconds: seconds / 2) { sink &+= (try? Deal(wireBytes: bytes))?.title.utf8.count ?? 0 }
        if sink == 42 { print("") }
        return [
            BenchResult(scenario: "codec.encode", calls: encode.calls, seconds: encode.seconds, latenciesNanoseconds: [], errors: 0),
            BenchResult(scenario: "codec.decode", calls: decode.calls, seconds: decode.seconds, latenciesNanoseconds: [], errors: 0),
        ]
    }

    /// Runs `body` in batches until `seconds` pass.
    static func measure(seconds: Double, _ body: () -> Void) -> (calls: Int, seconds: Double) {
        let start = ContinuousClock.now
        var calls = 0
        while true {
            for _ in 0..<10_000 { body() }
            calls += 10_000
            let elapsed = ContinuousClock.now - start
            let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if s >= seconds { return (calls, s) }
        }
    }
}
