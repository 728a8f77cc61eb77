package org.e2echat.user.events;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collections;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether user-service's compaction guard is consuming (in {@code /q/health} and
 * {@code /q/health/well}); not readiness, since accounts and logins do not need Kafka.
 */
@Wellness
@ApplicationScoped
public class ConsumerHealth implements HealthCheck {

    private final CompactionGuard guard;

    public ConsumerHealth(CompactionGuard guard) {
        this.guard = guard;
    }

    @Override
    public HealthCheckResponse call() {
        return org.e2echat.common.events.ConsumerHealth.of("user-service consumers",
                Collections.singletonList(guard.consumer()));
    }
}
