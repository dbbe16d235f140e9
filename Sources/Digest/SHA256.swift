import CCrypto

/// SHA-256 from the system's OpenSSL (libcrypto): never our own cryptography.
public enum SHA256 {
    public static let byteCount = 32

    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                _ = CCrypto.SHA256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return out
    }

    public static func digest(_ text: String) -> [UInt8] { digest(Array(text.utf8)) }
}
