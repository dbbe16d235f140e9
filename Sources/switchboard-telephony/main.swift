// The telephony service (Sources/TelephonyService/README.md); its settings are
// ServiceDefinition.telephony's, listed in Compose/README.md.
import ServiceKit
import TelephonyService

ServiceHost.run(.telephony)
