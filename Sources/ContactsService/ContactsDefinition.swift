import ServiceKit

extension ServiceDefinition {
    /// The contacts service: the directory of people and staff (DOMAIN.md C1–C4, C6).
    public static let contacts = ServiceDefinition(
        service: "contacts", prefix: "CONTACTS", defaultPort: 7101, migrations: ContactsSchema.migrations, settings: [.defaultCountry]
    ) { host in
        var api = ContactsAPI(database: host.database, defaultCountry: try host.environment.phones(), clock: host.clock)
        api.events = host.eventErasure
        host.server.register(api)
    }
}
