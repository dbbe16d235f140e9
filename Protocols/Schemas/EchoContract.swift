import ContractSchema

/// The Echo contract: every message, enumeration and method, declared once.
public let echoContract = ContractFile("Echo") {
    Service("Echo", id: "switchboard.diagnostics.Echo", callers: [CallerIdentity.anyone], doc: """
        A diagnostic contract every switchboard-echo server answers: it returns what it is
        sent. Used to measure the protocol's own cost (benchmarks) and to test the runtime.
        """) {
        Service.Method("echo", "Echo", "EchoMessage", "EchoMessage", idempotent: true, doc: "Returns the request unchanged.")
        Service.Method("delayedEcho", "DelayedEcho", "EchoMessage", "EchoMessage", idempotent: true, doc: "Waits `delayMilliseconds`, then returns the request; ends early if cancelled.")
    }
    Message("EchoMessage", doc: "The message `Echo` methods take and return.") {
        Field(1, "id", .int64)
        Field(2, "text", .string)
        Field(3, "delayMilliseconds", .int64, doc: "Only `DelayedEcho` reads it.")
    }
}
