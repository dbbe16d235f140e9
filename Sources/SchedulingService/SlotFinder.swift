import Contracts

/// S2: the earliest free slots. A candidate is one resource, or the set an appointment
/// needs all at once (its working stretches intersected, its busy times joined); starts
/// fall on a grid (15 minutes), the appointment inside working time, its travel buffers
/// clear of every busy time (other appointments with their own buffers).
public enum SlotFinder {
    public struct Candidate: Sendable {
        public let resourceID: Int64
        public let open: [WorkingTime.Stretch]
        /// Busy stretches, buffers included, any order.
        public let busy: [WorkingTime.Stretch]
        public init(resourceID: Int64, open: [WorkingTime.Stretch], busy: [WorkingTime.Stretch]) {
            self.resourceID = resourceID
            self.open = open
            self.busy = busy
        }
    }

    public static let grid: Int64 = 15 * 60_000

    public static func find(
        _ candidates: [Candidate], duration: Int64, bufferBefore: Int64, bufferAfter: Int64, from: Int64, limit: Int
    ) -> [Slot] {
        var found: [Slot] = []
        for c in candidates {
            found += slots(c, duration: duration, bufferBefore: bufferBefore, bufferAfter: bufferAfter, from: from, limit: limit)
        }
        return Array(found.sorted { ($0.startMilliseconds, $0.resourceID) < ($1.startMilliseconds, $1.resourceID) }.prefix(limit))
    }

    static func slots(_ c: Candidate, duration: Int64, bufferBefore: Int64, bufferAfter: Int64, from: Int64, limit: Int) -> [Slot] {
        let busy = merge(c.busy)
        var out: [Slot] = []
        var b = 0
        for stretch in c.open.sorted(by: { $0.start < $1.start }) {
            var t = roundUp(max(stretch.start, from))
            while t + duration <= stretch.end, out.count < limit {
                let need = WorkingTime.Stretch(t - bufferBefore, t + duration + bufferAfter)
                // Busy stretches are disjoint and sorted: skip those over before we start.
                while b < busy.count, busy[b].end <= need.start { b += 1 }
                if b < busy.count, busy[b].start < need.end {
                    t = roundUp(max(t + grid, busy[b].end + bufferBefore))
                    continue
                }
                out.append(Slot(resourceID: c.resourceID, startMilliseconds: t, endMilliseconds: t + duration))
                t += grid
            }
        }
        return out
    }

    /// Sorted, disjoint stretches covering the same time.
    public static func merge(_ list: [WorkingTime.Stretch]) -> [WorkingTime.Stretch] {
        var out: [WorkingTime.Stretch] = []
        for s in list.sorted(by: { $0.start < $1.start }) {
            if let last = out.last, s.start <= last.end {
                out[out.count - 1] = .init(last.start, max(last.end, s.end))
            } else {
                out.append(s)
            }
        }
        return out
    }

    static func roundUp(_ t: Int64) -> Int64 {
        let r = ((t % grid) + grid) % grid
        return r == 0 ? t : t + grid - r
    }

    /// Whether `window` lies inside one working stretch.
    public static func inside(_ window: WorkingTime.Stretch, _ open: [WorkingTime.Stretch]) -> Bool {
        open.contains { $0.start <= window.start && window.end <= $0.end }
    }

    /// Stretches common to every list (a multi-resource appointment's working time).
    public static func intersect(_ lists: [[WorkingTime.Stretch]]) -> [WorkingTime.Stretch] {
        guard var acc = lists.first else { return [] }
        for list in lists.dropFirst() {
            var next: [WorkingTime.Stretch] = []
            for a in acc { for b in list { let s = max(a.start, b.start), e = min(a.end, b.end); if s < e { next.append(.init(s, e)) } } }
            acc = next
        }
        return acc
    }
}
