import CCrypto

/// An OpenSSL memory buffer, freed with the value.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(TLSFailure) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSFailure("make a memory buffer") }
        pointer = bio
    }

    convenience init(_ text: String) throws(TLSFailure) {
        try self.init()
        let bytes = Array(text.utf8)
        guard BIO_write(pointer, bytes, Int32(bytes.count)) == Int32(bytes.count) else { throw TLSFailure("fill a memory buffer") }
    }

    deinit { BIO_free(pointer) }

    func text() -> String {
        var data: UnsafeMutablePointer<CChar>?
        let count = sb_bio_mem_contents(pointer, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }
}
