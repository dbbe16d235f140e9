/// Timers ordered by deadline, each carrying a payload (the job to run).
///
/// Almost every timer is cancelled (each RPC arms one for its deadline), so cancelling
/// is O(1): the payload is dropped and its heap entry skipped when it surfaces. When
/// dead entries outnumber live ones the heap is rebuilt, so memory stays proportional
/// to the live timers.
struct TimerQueue<Payload> {
    private struct Entry {
        var deadline: MonotonicInstant
        var id: UInt64
    }

    private var heap: [Entry] = []
    private var payloads: [UInt64: Payload] = [:]

    /// Live timers.
    var count: Int { payloads.count }
    /// Heap entries, dead ones included (for tests of the compaction).
    var storedEntryCount: Int { heap.count }

    mutating func insert(id: UInt64, deadline: MonotonicInstant, payload: Payload) {
        if heap.count > 1024 && heap.count > 2 * payloads.count {
            heap.removeAll { payloads[$0.id] == nil }
            var i = heap.count / 2 - 1
            while i >= 0 {
                siftDown(i)
                i -= 1
            }
        }
        payloads[id] = payload
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
    }

    /// Cancels a timer; false if it already fired or was cancelled.
    @discardableResult
    mutating func cancel(id: UInt64) -> Bool {
        payloads.removeValue(forKey: id) != nil
    }

    /// The earliest live deadline.
    mutating func earliest() -> MonotonicInstant? {
        while let top = heap.first {
            if payloads[top.id] != nil { return top.deadline }
            popTop()
        }
        return nil
    }

    /// Removes and returns the payloads of the live timers due at `now`, earliest first.
    mutating func popDue(now: MonotonicInstant) -> [Payload] {
        var due: [Payload] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if let payload = payloads.removeValue(forKey: top.id) { due.append(payload) }
        }
        return due
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        let entry = heap[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard entry.deadline < heap[parent].deadline else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = entry
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        let entry = heap[i]
        let n = heap.count
        while true {
            let l = 2 * i + 1
            guard l < n else { break }
            let r = l + 1
            let child = r < n && heap[r].deadline < heap[l].deadline ? r : l
            guard heap[child].deadline < entry.deadline else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = entry
    }
}
