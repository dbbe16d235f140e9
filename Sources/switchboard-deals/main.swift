// The deals service (Sources/DealsService/README.md); its settings are
// ServiceDefinition.deals's, listed in Compose/README.md.
import DealsService
import ServiceKit

ServiceHost.run(.deals)
