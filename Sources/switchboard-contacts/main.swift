// The contacts service: the directory of people and staff (DOMAIN.md C1–C4, C6).
// Configuration: CONTACTS_HOST, CONTACTS_PORT (7101), CONTACTS_DATA_DIR,
// CONTACTS_GRACE_SECONDS, SWITCHBOARD_DEFAULT_COUNTRY (RU; CONTACTS_DEFAULT_COUNTRY is
// its older name): the country of phone numbers written without a country code, the
// same for every service.
import ContactsService
import ServiceKit

ServiceHost.run(service: "contacts", prefix: "CONTACTS", defaultPort: 7101, migrations: ContactsSchema.migrations) { host in
    host.server.register(ContactsAPI(database: host.database, defaultCountry: try host.environment.phones(), clock: host.clock))
}
