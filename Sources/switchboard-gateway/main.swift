// The REST gateway (Sources/Gateway/README.md); its settings are GatewayDefinition's,
// listed in Compose/README.md.
import Gateway
import ServiceKit

ServiceHost.run(GatewayDefinition())
