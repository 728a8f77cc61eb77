package org.e2echat.session.events;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.e2echat.common.events.TopicConsumer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

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
        HealthCheckResponseBuilder b = HealthCheckResponse.named("session-service consumers").up();
        if (consumers.consumers().isEmpty()) {
            b.down();
        }
        for (TopicConsumer c : consumers.consumers()) {
            if (c.state() != TopicConsumer.State.CONSUMING) {
                b.down();
            }
            c.health().forEach((k, v) -> b.withData(String.join(",", c.topics()) + "." + k, String.valueOf(v)));
        }
        return b.build();
    }
}
