/// A min-heap of timers by deadline with O(log n) cancellation: every RPC schedules a
/// deadline timer and almost all are cancelled, so dead entries must not pile up.
struct TimerHeap {
    struct Entry {
        var deadline: MonotonicInstant
        var id: UInt64
    }

    private var heap: [Entry] = []
    private var positions: [UInt64: Int] = [:]

    var count: Int { heap.count }
    var earliest: MonotonicInstant? { heap.first?.deadline }

    mutating func insert(id: UInt64, deadline: MonotonicInstant) {
        heap.append(Entry(deadline: deadline, id: id))
        positions[id] = heap.count - 1
        siftUp(heap.count - 1)
    }

    /// Removes the timer; false if it had already fired or been removed.
    @discardableResult
    mutating func remove(id: UInt64) -> Bool {
        guard let i = positions.removeValue(forKey: id) else { return false }
        let last = heap.count - 1
        if i != last {
            heap.swapAt(i, last)
            positions[heap[i].id] = i
        }
        heap.removeLast()
        if i < heap.count {
            siftDown(i)
            siftUp(i)
        }
        return true
    }

    /// Removes and returns the ids of all timers due at `now`.
    mutating func popDue(now: MonotonicInstant) -> [UInt64] {
        var due: [UInt64] = []
        while let top = heap.first, top.deadline <= now {
            due.append(top.id)
            remove(id: top.id)
        }
        return due
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].deadline < heap[parent].deadline else { return }
            swap(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count && heap[l].deadline < heap[smallest].deadline { smallest = l }
            if r < heap.count && heap[r].deadline < heap[smallest].deadline { smallest = r }
            guard smallest != i else { return }
            swap(i, smallest)
            i = smallest
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        positions[heap[a].id] = a
        positions[heap[b].id] = b
    }
}
