/// Highest-random-weight (rendezvous) hashing: each key goes to the endpoint whose
/// name scores highest with it. Adding or removing one endpoint moves only the keys
/// that belonged to it. The score is specified in PROTOCOL.md so clients in any
/// language pick the same replica.
public enum RendezvousHash {
    /// FNV-1a 64 of `name`, a zero byte, then `key`, finished with the splitmix64 mixer.
    public static func score(name: String, key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for byte in name.utf8 { feed(byte) }
        feed(0)
        for byte in key.utf8 { feed(byte) }
        var z = hash &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The index of the endpoint name that owns `key`; ties go to the smaller name.
    public static func pick(key: String, names: [String]) -> Int? {
        var best: (index: Int, score: UInt64, name: String)?
        for (index, name) in names.enumerated() {
            let s = score(name: name, key: key)
            if let current = best, s < current.score || (s == current.score && name >= current.name) { continue }
            best = (index, s, name)
        }
        return best?.index
    }
}
