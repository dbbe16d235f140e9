// The contacts service: the directory of people and staff (DOMAIN.md C1–C4, C6).
// Configuration: CONTACTS_HOST, CONTACTS_PORT (7101), CONTACTS_DATA_DIR,
// CONTACTS_GRACE_SECONDS, CONTACTS_DEFAULT_COUNTRY (RU): the country of phone numbers
// written without a country code.
import ContactsService
import ServiceKit

ServiceHost.run(service: "contacts", prefix: "CONTACTS", defaultPort: 7101, migrations: ContactsSchema.migrations) { host in
    let country = host.environment.string("DEFAULT_COUNTRY", default: "RU")
    guard let phones = PhoneNormalizer(defaultCountry: country) else {
        throw ConfigurationError(
            variable: host.environment.name("DEFAULT_COUNTRY"),
            problem: "is \"\(country)\"; expected one of \(PhoneNormalizer.countries.keys.sorted().joined(separator: ", "))")
    }
    host.server.register(ContactsAPI(database: host.database, defaultCountry: phones, clock: host.clock))
}
