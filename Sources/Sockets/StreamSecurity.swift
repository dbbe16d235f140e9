/// A record layer between a ``StreamConnection``'s socket and the bytes its owner reads
/// and writes: TLS (the `TLS` module's `TLSSession`), kept out of this module so the
/// sockets need no C library.
///
/// The connection calls it only under its own lock, so an implementation needs no lock of
/// its own; it is `Sendable` only so that the connection can be handed one.
public protocol StreamSecurity: AnyObject, Sendable {
    /// True once the handshake has finished and the peer was verified.
    var isEstablished: Bool { get }
    /// The identity in the peer's verified certificate, once established.
    var peerName: String? { get }
    /// Bytes read from the socket.
    func receive(_ ciphertext: UnsafeRawBufferPointer)
    /// Moves the handshake on, then decrypts what it can into `buffer`: the byte count,
    /// 0 when it needs more from the peer. Throws when the peer failed verification or
    /// broke the protocol; the layer may have queued an alert to send before closing.
    func open(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int
    /// Encrypts `plaintext` (only once established), appending the records to `sealed`.
    func seal(_ plaintext: [UInt8], into sealed: inout [UInt8]) throws(SocketError)
    /// Appends what the layer itself has to send (handshake, alerts) to `sealed`.
    func takeOutput(into sealed: inout [UInt8])
}
