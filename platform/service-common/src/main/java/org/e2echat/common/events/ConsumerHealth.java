package org.e2echat.common.events;

import java.util.Collection;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** The one health answer for a service's consumers: up only while every one of them is consuming. */
public final class ConsumerHealth {

    private ConsumerHealth() {
    }

    /** Up when all {@code consumers} are {@code CONSUMING}; their state, since when and last error as data. */
    public static HealthCheckResponse of(String name, Collection<TopicConsumer> consumers) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(!consumers.isEmpty());
        for (TopicConsumer c : consumers) {
            if (c == null || c.state() != TopicConsumer.State.CONSUMING) {
                b.down();
            }
            if (c != null) {
                c.health().forEach((k, v) -> b.withData(String.join(",", c.topics()) + "." + k, String.valueOf(v)));
            }
        }
        return b.build();
    }
}
