import CEpoll
import Glibc

/// A named OS thread that runs one closure and is never joined: the reactor's.
///
/// It is pthreads directly, not Foundation's `Thread`, so a service that needs no more
/// than FoundationEssentials never loads Foundation and with it ICU (issue 30: idle memory).
public enum DetachedThread {
    /// Starts `body` on a new thread named `name` (the kernel keeps 15 bytes, shown by
    /// `top -H` and perf) with a stack of `stackSize` bytes.
    public static func start(name: String, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) {
        final class Start: @unchecked Sendable {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let start = Unmanaged.passRetained(Start(name: String(name.prefix(15)), body: body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            _ = cepoll_name_thread(start.name)
            start.body()
            return nil
        }, start)
        // Without its thread the process cannot serve at all.
        precondition(created == 0, "pthread_create failed: \(created)")
    }
}
