// swift-tools-version:6.0
// Switchboard: a CRM backend built as independent Swift services that speak one
// binary protocol (Protocols/PROTOCOL.md). No package dependencies: toolchain only,
// plus the system libsqlite3 and OpenSSL's libcrypto through module maps.
import PackageDescription

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-echo", targets: ["switchboard-echo"]),
        .executable(name: "switchboard-contacts", targets: ["switchboard-contacts"]),
        .executable(name: "switchboard-deals", targets: ["switchboard-deals"]),
        .executable(name: "switchboard-gateway", targets: ["switchboard-gateway"]),
        .executable(name: "switchboard-telephony", targets: ["switchboard-telephony"]),
        .executable(name: "switchboard-scheduling", targets: ["switchboard-scheduling"]),
        .executable(name: "switchboard-billing", targets: ["switchboard-billing"]),
        .executable(name: "switchboard-notifications", targets: ["switchboard-notifications"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
        .executable(name: "switchboard-codegen", targets: ["switchboard-codegen"]),
    ],
    targets: [
        // C shims: epoll/eventfd (not exported by Glibc) and the system SQLite.
        .target(name: "CEpoll", path: "Sources/CEpoll"),
        // Issue 30: the machine's limits the benchmarks compare with (C loopback ping-pong).
        .target(name: "CLimits", path: "Sources/CLimits"),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        // The console's files go out gzip-compressed (issue 27).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The protocol: pure values, no I/O.
        .target(name: "Wire", path: "Protocols/Wire"),
        .target(name: "Contracts", dependencies: ["JSON", "Wire"], path: "Protocols/Contracts"),
        // The schema every contract is generated from, and the generator's library.
        .target(name: "ContractSchema", path: "Protocols/ContractSchema"),
        .target(name: "Schemas", dependencies: ["ContractSchema"], path: "Protocols/Schemas"),
        // Each service's generated server protocol: one requirement per method.
        .target(name: "ContractServices", dependencies: ["Contracts", "RPC", "Wire"], path: "Protocols/ContractServices"),

        // Runtime layers.
        .target(name: "Sockets", dependencies: ["CEpoll"]),
        .target(name: "RPC", dependencies: ["Wire", "Sockets", "TLS"]),
        .target(name: "HTTP", dependencies: ["Sockets"]),
        // Mutual TLS for the binary protocol, and the certificates it runs on, from the system OpenSSL.
        .target(name: "TLS", dependencies: ["CCrypto", "Sockets"]),
        .target(name: "JSON"),
        // Hashes, HMACs, constant-time comparison and randomness from the system OpenSSL.
        .target(name: "Digest", dependencies: ["CCrypto"]),
        // Outside ServiceKit: FoundationNetworking loads ICU, which contacts and billing never do.
        .target(name: "URLSessionCalls"),
        .target(name: "Storage", dependencies: ["CSQLite"]),
        .target(name: "ServiceKit", dependencies: ["CEpoll", "ContractServices", "Contracts", "Digest", "RPC", "Storage", "Wire", "HTTP", "Sockets", "TLS"]),
        // Provider webhooks: authenticated, kept durably, translated and relayed (G2); the gateway serves its routes.
        .target(name: "WebhookHub", dependencies: ["Contracts", "Digest", "JSON", "RPC", "ServiceKit", "Sockets", "Storage", "URLSessionCalls", "Wire"], exclude: ["README.md"]),
        .target(
            name: "Gateway", dependencies: ["Contracts", "CZlib", "Digest", "RPC", "HTTP", "JSON", "ServiceKit", "Storage", "WebhookHub", "Wire"],
            exclude: ["README.md"], resources: [.copy("Console")]),
        .target(name: "ContactsService", dependencies: ["ContractServices", "Contracts", "Digest", "RPC", "Storage", "ServiceKit"], exclude: ["README.md"]),
        .target(name: "DealsService", dependencies: ["ContractServices", "Contracts", "JSON", "RPC", "Storage", "ServiceKit", "Sockets"], exclude: ["README.md"]),
        .target(name: "TelephonyService", dependencies: ["ContractServices", "Contracts", "Digest", "RPC", "Storage", "ServiceKit"], exclude: ["README.md"]),
        .target(name: "SchedulingService", dependencies: ["ContractServices", "Contracts", "Digest", "JSON", "RPC", "Storage", "ServiceKit"], exclude: ["README.md"]),
        .target(name: "BillingService", dependencies: ["ContractServices", "Contracts", "RPC", "Storage", "ServiceKit"], exclude: ["README.md"]),
        .target(name: "NotificationsService", dependencies: ["ContractServices", "CCrypto", "Contracts", "Digest", "HTTP", "JSON", "RPC", "Storage", "ServiceKit", "Sockets", "URLSessionCalls"], exclude: ["README.md"]),

        // Executables.
        .executableTarget(name: "switchboard-echo", dependencies: ["ContractServices", "RPC", "Contracts", "ServiceKit", "TLS"]),
        .executableTarget(name: "switchboard-contacts", dependencies: ["ContactsService", "ServiceKit"]),
        .executableTarget(name: "switchboard-deals", dependencies: ["DealsService", "RPC", "ServiceKit"]),
        .executableTarget(name: "switchboard-telephony", dependencies: ["Contracts", "TelephonyService", "RPC", "ServiceKit"]),
        .executableTarget(name: "switchboard-scheduling", dependencies: ["SchedulingService", "ServiceKit"]),
        .executableTarget(name: "switchboard-billing", dependencies: ["BillingService", "RPC", "ServiceKit"]),
        .executableTarget(name: "switchboard-notifications", dependencies: ["NotificationsService", "RPC", "ServiceKit", "Sockets"]),
        .executableTarget(name: "switchboard-gateway", dependencies: ["Gateway", "ServiceKit"]),
        // The local runner; depending on the services makes `swift run switchboard` build them.
        .executableTarget(name: "switchboard", dependencies: ["Contracts", "Digest", "Storage", "Gateway", "HTTP", "ServiceKit", "Sockets", "WebhookHub", "TLS", "ContactsService", "DealsService", "TelephonyService", "SchedulingService", "BillingService", "NotificationsService", "switchboard-contacts", "switchboard-deals", "switchboard-telephony", "switchboard-scheduling", "switchboard-billing", "switchboard-notifications", "switchboard-gateway"]),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: ["CLimits", "CSQLite", "RPC", "Contracts", "Digest", "Wire", "Sockets", "TLS", "ContactsService", "DealsService", "TelephonyService", "SchedulingService", "BillingService", "NotificationsService", "HTTP", "ServiceKit", "Storage"], exclude: ["README.md"]),
        .executableTarget(name: "wire-fuzz", dependencies: ["Wire", "Contracts"], exclude: ["README.md"]),
        .executableTarget(name: "switchboard-codegen", dependencies: ["ContractSchema", "Schemas"]),

        // Tests.
        // Starting test processes without Foundation's Process (Tests/CSpawn/include/CSpawn.h says why).
        .target(name: "CSpawn", path: "Tests/CSpawn"),
        .target(name: "TestSupport", dependencies: ["CSpawn", "Contracts", "RPC", "TLS"], path: "Tests/TestSupport"),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Contracts", "ContractSchema", "Schemas", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "TelephonyTests", dependencies: ["TelephonyService", "Contracts", "RPC", "ServiceKit", "Storage", "Wire", "TestSupport", "switchboard-telephony", "switchboard-contacts", "switchboard-deals"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "Digest"]),
        .testTarget(
            name: "DealsTests",
            dependencies: ["DealsService", "Contracts", "Wire", "RPC", "Storage", "ServiceKit", "TestSupport", "switchboard-deals", "switchboard-contacts"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Sockets", "TestSupport"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["ContractServices", "Gateway", "WebhookHub", "BillingService", "ContactsService", "Contracts", "DealsService", "Digest", "HTTP", "JSON", "NotificationsService", "RPC", "SchedulingService", "TelephonyService", "ServiceKit", "Storage", "Wire", "TestSupport", "Sockets", "switchboard", "switchboard-gateway", "switchboard-contacts", "switchboard-deals", "switchboard-telephony", "switchboard-scheduling", "switchboard-billing", "switchboard-notifications"]),
        .testTarget(name: "BillingTests", dependencies: ["BillingService", "Contracts", "Wire"]),
        .testTarget(name: "NotificationsTests", dependencies: ["NotificationsService", "Contracts", "Digest", "RPC", "ServiceKit", "Storage", "Wire", "TestSupport", "Sockets", "Schemas"]),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["SchedulingService", "Contracts", "Wire", "RPC", "Storage", "ServiceKit", "TestSupport", "switchboard-scheduling"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Contracts", "RPC", "Storage", "Wire", "TestSupport"]),
        .testTarget(
            name: "ContactsTests",
            dependencies: ["ContactsService", "Contracts", "Wire", "RPC", "Storage", "ServiceKit", "TestSupport", "switchboard-contacts"]),
        .testTarget(
            name: "RPCTests",
            dependencies: ["RPC", "Wire", "Contracts", "Sockets", "TestSupport", "switchboard-echo"]),
    ],
    swiftLanguageModes: [.v6]
)
