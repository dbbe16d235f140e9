import CEpoll
import FoundationEssentials
import Glibc
import Synchronization

/// Something registered with a ``Reactor``; told on the reactor thread which epoll
/// events fired for its descriptor.
public protocol ReactorHandler: AnyObject, Sendable {
    func handleEvents(_ events: UInt32)
}

/// Something with deadlines on a ``Reactor``: told on the reactor thread when one passes.
public protocol DeadlineHandler: AnyObject, Sendable {
    func deadlinePassed(_ tag: UInt64)
}

/// One thread blocked in `epoll_wait`, woken by an eventfd. It dispatches readiness
/// events to handlers, runs jobs submitted from other threads, and fires timers.
///
/// Handlers and jobs run on the reactor thread and must never block: everything that
/// might (SQLite, handlers of user code) runs elsewhere.
public final class Reactor: TaskExecutor, Sendable {
    public typealias Job = @Sendable () -> Void

    /// A timer's handle, for ``cancel(_:)``.
    public struct TimerID: Sendable, Hashable {
        let raw: UInt64
    }

    /// What a timer does when it fires: a closure, or a deadline told to its owner with
    /// the owner's tag. An RPC arms one per call on each side; telling the connection
    /// which call, instead of capturing it in a closure, saves an allocation per call.
    private enum TimerWork {
        case closure(Job)
        case deadline(any DeadlineHandler, UInt64)

        func fire() {
            switch self {
            case let .closure(job): job()
            case let .deadline(handler, tag): handler.deadlinePassed(tag)
            }
        }
    }

    /// A registration's handle, for ``deregister(_:)``.
    public struct Registration: Sendable, Hashable {
        let token: UInt64
        public let fd: Int32
    }

    /// What the loop runs next, in the order it was submitted. A task's job is kept as it
    /// is, not wrapped in a closure: that would cost an allocation per resumed task.
    private enum Work {
        case closure(Job)
        case task(UnownedJob)
    }

    private struct State {
        var jobs: [Work] = []
        var wakePending = false
        var timers = TimerQueue<TimerWork>()
        var nextID: UInt64 = 1
        var handlers: [UInt64: any ReactorHandler] = [:]
        var sleepingUntil: MonotonicInstant? = nil
        var stopping = false
    }

    /// The process-wide reactor, started on first use.
    public static let shared: Reactor = {
        do { return try Reactor(name: "reactor") } catch { fatalError("cannot start the reactor: \(error)") }
    }()

    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())
    private let threadID = Atomic<UInt>(0)
    private let wakeToken: UInt64 = 0
    /// Scratch space for every read this reactor does; only its thread touches it.
    nonisolated(unsafe) private let readBuffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 * 1024)

    public init(name: String) throws(SocketError) {
        let ep = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard ep >= 0 else { throw SocketError("epoll_create1", errno: cepoll_errno()) }
        let efd = eventfd(0, cepoll_efd_nonblock_cloexec)
        guard efd >= 0 else {
            Glibc.close(ep)
            throw SocketError("eventfd", errno: cepoll_errno())
        }
        epollFD = ep
        wakeFD = efd
        var event = epoll_event()
        event.events = cepoll_epollin
        event.data.u64 = wakeToken
        guard epoll_ctl(ep, EPOLL_CTL_ADD, efd, &event) == 0 else {
            throw SocketError("epoll_ctl(eventfd)", errno: cepoll_errno())
        }
        DetachedThread.start(name: name) { [self] in run() }
    }

    /// True when called on this reactor's thread.
    public var isCurrent: Bool { threadID.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self())) }

    /// Lends the reactor's read buffer; call only on the reactor thread.
    public func withReadBuffer<R>(_ body: (UnsafeMutableBufferPointer<UInt8>) -> R) -> R {
        body(readBuffer)
    }

    // MARK: Registration

    /// Registers `fd` for `events` (edge-triggered flags included by the caller).
    public func register(fd: Int32, events: UInt32, handler: any ReactorHandler) throws(SocketError) -> Registration {
        let token = state.withLock { s -> UInt64 in
            let t = s.nextID
            s.nextID += 1
            s.handlers[t] = handler
            return t
        }
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            let code = cepoll_errno()
            _ = state.withLock { $0.handlers.removeValue(forKey: token) }
            throw SocketError("epoll_ctl(ADD)", errno: code)
        }
        return Registration(token: token, fd: fd)
    }

    /// Removes the registration. The caller closes the fd afterwards, once.
    public func deregister(_ registration: Registration) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, registration.fd, nil)
        _ = state.withLock { $0.handlers.removeValue(forKey: registration.token) }
    }

    // MARK: Jobs and timers

    /// Runs `job` on the reactor thread soon.
    public func execute(_ job: @escaping Job) {
        submit(.closure(job))
    }

    private func submit(_ work: Work) {
        let wake = state.withLock { s -> Bool in
            s.jobs.append(work)
            // A running loop looks at jobs before it sleeps again; only a sleeping one
            // (or one about to call epoll_wait) needs the eventfd.
            guard s.sleepingUntil != nil, !s.wakePending else { return false }
            s.wakePending = true
            return true
        }
        if wake && !isCurrent { signal() }
    }

    /// Runs `job` on the reactor thread at `deadline` unless cancelled first.
    @discardableResult
    public func schedule(at deadline: MonotonicInstant, _ job: @escaping Job) -> TimerID {
        arm(at: deadline, .closure(job))
    }

    /// Tells `handler` at `deadline`, on the reactor thread, that the deadline tagged `tag`
    /// passed, unless cancelled first.
    @discardableResult
    public func schedule(at deadline: MonotonicInstant, telling handler: any DeadlineHandler, tag: UInt64) -> TimerID {
        arm(at: deadline, .deadline(handler, tag))
    }

    private func arm(at deadline: MonotonicInstant, _ work: TimerWork) -> TimerID {
        let (id, wake) = state.withLock { s -> (UInt64, Bool) in
            let id = s.nextID
            s.nextID += 1
            s.timers.insert(id: id, deadline: deadline, payload: work)
            // Wake the thread only if it sleeps past this deadline.
            guard let sleeping = s.sleepingUntil, deadline < sleeping, !s.wakePending else { return (id, false) }
            s.wakePending = true
            return (id, true)
        }
        if wake && !isCurrent { signal() }
        return TimerID(raw: id)
    }

    @discardableResult
    public func schedule(after delay: Duration, _ job: @escaping Job) -> TimerID {
        schedule(at: .now() + delay, job)
    }

    /// Cancels a timer; false if it already fired.
    @discardableResult
    public func cancel(_ timer: TimerID) -> Bool {
        state.withLock { $0.timers.cancel(id: timer.raw) }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    // MARK: Task executor

    /// Runs async work on the reactor thread: a server's handlers run here (task
    /// executor preference) so a request is read, handled and answered without a
    /// thread hop, and answers produced in one turn leave in one write.
    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.task(UnownedJob(job)))
    }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        // Swapped with the state's list each turn, so neither is reallocated.
        var jobs: [Work] = []
        let executor = asUnownedTaskExecutor()
        while true {
            // Jobs and due timers first, then decide how long we may sleep.
            let (timerJobs, timeout) = state.withLock { s -> ([TimerWork], Int32) in
                swap(&jobs, &s.jobs)
                let now = MonotonicInstant.now()
                let due = s.timers.popDue(now: now)
                let timeout: Int32
                if !jobs.isEmpty || !due.isEmpty {
                    timeout = 0
                    s.sleepingUntil = nil
                } else if let earliest = s.timers.earliest() {
                    // Round up: waking a millisecond late is fine, early means a spin.
                    let ms = (now.duration(until: earliest).nanosecondsClamped + 999_999) / 1_000_000
                    timeout = Int32(min(ms, 60_000))
                    s.sleepingUntil = earliest
                    s.wakePending = false
                } else {
                    timeout = -1
                    s.sleepingUntil = MonotonicInstant(nanoseconds: .max)
                    s.wakePending = false
                }
                return (due, timeout)
            }
            for work in jobs {
                switch work {
                case let .closure(job): job()
                case let .task(job): job.runSynchronously(on: executor)
                }
            }
            // A burst's list is not kept for ever.
            jobs.removeAll(keepingCapacity: jobs.capacity <= 4096)
            for work in timerJobs { work.fire() }

            let count = epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count < 0 {
                if cepoll_errno() == EINTR { continue }
                fatalError("epoll_wait failed: \(SocketError("epoll_wait", errno: cepoll_errno()))")
            }
            state.withLock { $0.sleepingUntil = nil }
            for i in 0..<Int(count) {
                let event = events[i]
                let token = event.data.u64
                if token == wakeToken {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    state.withLock { $0.wakePending = false }
                    continue
                }
                let handler = state.withLock { $0.handlers[token] }
                handler?.handleEvents(event.events)
            }
        }
    }
}
