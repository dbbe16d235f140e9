import Foundation

/// Benchmarks are programs, not timed tests: they print a table for people, or one
/// JSON object per scenario per line with --json.
@main
struct SwitchboardBench {
    static func main() async {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("switchboard-bench: \(error.message)\n\(BenchOptions.usage)\n".utf8))
            exit(2)
        }
        BenchPKI.install()
        do {
            let results: [BenchResult]
            switch options.suite {
            case "rpc": results = try await RPCBench.run(options: options)
            case "contacts": results = try await ContactsBench.run(options: options)
            case "deals": results = try await DealsBench.run(options: options)
            case "codec": results = CodecBench.run(options: options)
            case "hooks": results = try await HooksBench.run(options: options)
            case "telephony": results = try await TelephonyBench.run(options: options)
            case "dialer": results = try await DialerBench.run(options: options)
            case "scheduling": results = try await SchedulingBench.run(options: options)
            case "billing": results = try await BillingBench.run(options: options)
            case "notifications": results = try await NotificationsBench.run(options: options)
            case "conversations": results = try await ConversationsBench.run(options: options)
            case "console": results = try await ConsoleBench.run(options: options)
            case "import": results = try await ImportBench.run(options: options)
            case "operations": results = try await OperationsBench.run(options: options)
            case "chaos": results = try ChaosBench.run(options: options)
            case "limits": results = try MachineLimits.current().results
            case "memory": results = try await MemoryBench.run(options: options)
            case "gateway": results = try await GatewayBench.run(options: options)
            default:
                FileHandle.standardError.write(Data("switchboard-bench: unknown suite \(options.suite)\n\(BenchOptions.usage)\n".utf8))
                exit(2)
            }
            if options.json {
                for result in results { print(result.json) }
            } else {
                print(BenchResult.table(results))
            }
        } catch {
            FileHandle.standardError.write(Data("switchboard-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
