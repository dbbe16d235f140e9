// The scheduling service (Sources/SchedulingService/README.md); its settings are
// ServiceDefinition.scheduling's, listed in Compose/README.md.
import SchedulingService
import ServiceKit

ServiceHost.run(.scheduling)
