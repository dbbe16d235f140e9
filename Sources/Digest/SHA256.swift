import CCrypto
#if canImport(Glibc)
import Glibc
#endif

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

extension SHA256 {
    /// The digest of a file read in 1 MiB pieces, so a gigabyte costs a megabyte of memory;
    /// nil when the file cannot be read.
    public static func digest(fileAt path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 {
                guard buffer.withUnsafeBytes({ EVP_DigestUpdate(context, $0.baseAddress, count) }) == 1 else { return nil }
            }
            if count < buffer.count {
                guard ferror(file) == 0 else { return nil }
                break
            }
        }
        var out = [UInt8](repeating: 0, count: byteCount)
        guard out.withUnsafeMutableBufferPointer({ EVP_DigestFinal_ex(context, $0.baseAddress, nil) }) == 1 else { return nil }
        return out
    }
}
