package org.e2echat.session.events;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether session-service's consumers are consuming (shown in {@code /q/health} and
 * {@code /q/health/well}). Not a readiness check: the REST API works while Kafka is away, and
 * taking every replica out of service for it would stop sends.
 */
@Wellness
@ApplicationScoped
public class ConsumerHealth implements HealthCheck {

    private final SessionEventConsumers consumers;

    public ConsumerHealth(SessionEventConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        return org.e2echat.common.events.ConsumerHealth.of("session-service consumers", consumers.consumers());
    }
}
