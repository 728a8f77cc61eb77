package org.e2echat.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.e2echat.gateway.domain.ConnectionRegistry;

/** Builds the registry from configuration. */
@ApplicationScoped
public class GatewayWiring {

    @Produces
    @ApplicationScoped
    ConnectionRegistry registry(GatewayConfig config) {
        return new ConnectionRegistry(config.maxConnectionsPerUser());
    }
}
