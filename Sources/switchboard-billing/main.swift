// The billing service (Sources/BillingService/README.md); its settings are
// ServiceDefinition.billing's, listed in Compose/README.md.
import BillingService
import ServiceKit

ServiceHost.run(.billing)
