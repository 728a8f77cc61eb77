package org.e2echat.common.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.e2echat.common.events.ConsumerHealth;
import org.e2echat.common.events.TopicConsumer;
import org.e2echat.contracts.Topic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The accounts deleted within the last access-token lifetime, as this instance has heard of them
 * on {@code chat.users}: their tokens are still signed and unexpired, but no service may honour
 * them ({@link SubjectRequired} refuses them as 401, the gateway refuses their upgrades). Each
 * instance reads the topic with a group of its own that commits nothing, starting {@code window}
 * ago (again after any restart of its client), so a restarted
 * instance knows every deletion whose tokens can still be alive; an entry is forgotten once every
 * token issued before the deletion has expired, so the list stays as small as the deletions of one
 * token lifetime. Kafka being away only delays news of new deletions (the outbox delivers them
 * later); it takes nothing else down.
 */
@ApplicationScoped
@Wellness
public class DeletedAccounts implements HealthCheck {

    private final Map<String, Instant> forgetAt = new ConcurrentHashMap<>();
    private final Duration window;
    private final Map<String, Object> kafkaConfig;
    private final String service;
    private final MeterRegistry meters;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile TopicConsumer consumer;

    public DeletedAccounts(@ConfigProperty(name = "e2echat.deleted-accounts.window") Duration window,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "quarkus.application.name") String service, MeterRegistry meters, ObjectMapper json) {
        this.window = window;
        this.kafkaConfig = kafkaConfig;
        this.service = service;
        this.meters = meters;
        this.json = json;
        this.clock = Clock.systemUTC();
    }

    void start(@Observes StartupEvent event) {
        meters.gaugeMapSize("e2echat_deleted_accounts", List.of(), forgetAt);
        // BLOCK: the handler skips what it cannot read, so nothing is ever dead-lettered from here
        consumer = new TopicConsumer(kafkaConfig, TopicConsumer.Options.of(service + "-accounts-" + UUID.randomUUID(),
                List.of(Topic.USERS.name()), "latest", TopicConsumer.OnFailure.BLOCK).startingAgo(window)
                .withoutCommits(),
                this::onEvent, meters);
    }

    void stop(@Observes ShutdownEvent event) {
        TopicConsumer c = consumer;
        if (c != null) {
            c.close();
        }
    }

    /** Whether {@code userId}'s account was deleted recently enough that its tokens may still be alive. */
    public boolean isDeleted(String userId) {
        Instant until = forgetAt.get(userId);
        if (until == null) {
            return false;
        }
        if (until.isBefore(clock.instant())) {
            forgetAt.remove(userId, until);
            return false;
        }
        return true;
    }

    void onEvent(ConsumerRecord<String, String> record) {
        JsonNode envelope = TopicConsumer.envelope(json, record);
        if (envelope == null) {
            return;
        }
        JsonNode payload = envelope.path("payload");
        if (!payload.path("state").path("deleted").asBoolean(false)) {
            return;
        }
        String userId = payload.path("userId").asText("");
        Instant deletedAt = instant(payload.path("deletedAt"), instant(envelope.path("occurredAt"), clock.instant()));
        Instant until = deletedAt.plus(window);
        if (!userId.isEmpty() && until.isAfter(clock.instant())) {
            forgetAt.merge(userId, until, (a, b) -> a.isAfter(b) ? a : b);
        }
        forgetAt.values().removeIf(t -> t.isBefore(clock.instant()));
    }

    private static Instant instant(JsonNode node, Instant otherwise) {
        try {
            return node.isTextual() ? Instant.parse(node.asText()) : otherwise;
        } catch (DateTimeParseException e) {
            return otherwise;
        }
    }

    @Override
    public HealthCheckResponse call() {
        TopicConsumer c = consumer;
        return ConsumerHealth.of("Deleted accounts (chat.users)", c == null ? List.of() : List.of(c));
    }
}
