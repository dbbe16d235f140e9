// The contacts service (Sources/ContactsService/README.md); its settings are
// ServiceDefinition.contacts's, listed in Compose/README.md.
import ContactsService
import ServiceKit

ServiceHost.run(.contacts)
