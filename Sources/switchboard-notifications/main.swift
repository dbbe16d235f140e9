// The notifications service (Sources/NotificationsService/README.md); its settings are
// ServiceDefinition.notifications's, listed in Compose/README.md.
import NotificationsService
import ServiceKit

ServiceHost.run(.notifications)
