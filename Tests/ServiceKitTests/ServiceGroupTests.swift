import ServiceKit
import Synchronization
import Testing

/// Lifecycle: background parts stop in reverse start order, each awaited, within the grace.
@Suite struct ServiceGroupTests {
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        func append(_ line: String) { entries.withLock { $0.append(line) } }
    }

    final class Part: BackgroundService {
        let name: String
        let journal: Journal
        let hangs: Bool
        init(_ name: String, _ journal: Journal, hangs: Bool = false) {
            self.name = name
            self.journal = journal
            self.hangs = hangs
        }
        func start() { journal.append("start \(name)") }
        func stop() async {
            if hangs { try? await Task.sleep(for: .seconds(3600)) }
            journal.append("stop \(name)")
        }
    }


    @Test func partsStopLastStartedFirstAndOneThatHangsDoesNotHoldTheRest() async {
        let journal = Journal()
        let group = ServiceGroup(logger: Logger(service: "test"))
        let parts = [Part("relay", journal), Part("timers", journal), Part("stuck", journal, hangs: true), Part("intake", journal)]
        for part in parts { group.add(part.name, part) }
        group.startAll()
        // Returns although "stuck" never does (it would hang here otherwise).
        await group.stopAll(by: .now + .milliseconds(200))
        #expect(journal.entries.withLock { $0 } == ["start relay", "start timers", "start stuck", "start intake", "stop intake", "stop timers", "stop relay"])
    }
}
