import Dispatch
import FoundationEssentials
import Glibc

/// A process started by a supervisor (`switchboard up`, a test run, the bench) that names
/// itself in `SWITCHBOARD_PARENT_PID` stops once that process is gone — killed with -9 or
/// crashed — instead of running on unsupervised, holding its port and data.
public enum ParentWatch {
    public static let variable = "SWITCHBOARD_PARENT_PID"

    /// What a supervisor adds to a child's environment to name itself.
    public static var environment: [String: String] { [variable: "\(getpid())"] }

    /// The supervisor's pid, when one is named.
    public static var parentPID: pid_t? {
        guard let text = ProcessInfo.processInfo.environment[variable], let pid = pid_t(text), pid > 1 else { return nil }
        return pid
    }

    /// Checks every second and calls `gone` (once) when the parent has changed; nil when no
    /// supervisor is named. Keep the timer for as long as the process runs.
    public static func start(queue: DispatchQueue = .main, _ gone: @escaping @Sendable (pid_t) -> Void) -> DispatchSourceTimer? {
        guard let parent = parentPID else { return nil }
        let fired = OnceFlag()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1))
        timer.setEventHandler {
            guard getppid() != parent, fired.setOnce() else { return }
            gone(parent)
        }
        timer.resume()
        return timer
    }
}
