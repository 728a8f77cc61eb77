package org.e2echat.session.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.e2echat.common.events.TopicConsumer;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.session.config.SessionServiceConfig;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.domain.SessionService;
import org.jboss.logging.Logger;

/**
 * What session-service hears: {@code chat.users} (the user projection, rekeys on key changes,
 * removal of deleted users) and {@code chat.messages} (activity summary, message-count policy);
 * plus the periodic epoch-age check. Both consumers start from the earliest offset of their group,
 * so the projection is complete, and restart by themselves after any failure. A user event that
 * cannot be handled blocks its partition until it can; a message event is dead-lettered after its
 * retries. Every handler tolerates duplicates and reordering: user events apply only when newer
 * (by the user's revision) and their session effects are idempotent; the policy message count is
 * derived from the epoch's seq range, so a redelivery counts nothing twice.
 */
@ApplicationScoped
public class SessionEventConsumers {

    private static final Logger LOG = Logger.getLogger(SessionEventConsumers.class);
    private static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(30);

    private final SessionService sessions;
    private final ObjectMapper json;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final Duration policyCheck;
    private TopicConsumer users;
    private TopicConsumer messages;
    private ScheduledExecutorService policy;

    public SessionEventConsumers(SessionService sessions, ObjectMapper json,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, SessionServiceConfig config,
            MeterRegistry registry) {
        this.sessions = sessions;
        this.json = json;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
        this.policyCheck = config.policy().checkInterval();
    }

    void start(@Observes StartupEvent event) {
        // A user event is never skipped: a lost UserDeleted, UserKeyRevoked or UserKeyExpired would
        // leave a deleted user a member, or a revoked or expired key without a rekey.
        users = new TopicConsumer(kafkaConfig, TopicConsumer.Options.of("session-service.users",
                List.of(Topic.USERS.name()), "earliest", TopicConsumer.OnFailure.BLOCK), this::onUserEvent, registry);
        messages = new TopicConsumer(kafkaConfig, TopicConsumer.Options.of("session-service.messages",
                List.of(Topic.MESSAGES.name()), "earliest", TopicConsumer.OnFailure.DEAD_LETTER), this::onMessageEvent,
                registry);
        policy = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "epoch-age-policy"));
        policy.scheduleWithFixedDelay(this::checkEpochAges, policyCheck.toMillis(), policyCheck.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (policy != null) {
            policy.shutdownNow();
        }
        if (users != null) {
            users.close();
        }
        if (messages != null) {
            messages.close();
        }
    }

    /** Both consumers, for the health check. */
    public List<TopicConsumer> consumers() {
        return users == null ? List.of() : List.of(users, messages);
    }

    void onUserEvent(ConsumerRecord<String, String> record) {
        JsonNode envelope = parse(record.value());
        String type = envelope.path("type").asText();
        KnownUser announced = announced(type, envelope.path("payload"));
        if (announced == null) {
            LOG.debugf("ignoring %s event", type);
            return;
        }
        sessions.onUserEvent(announced, UserEvents.UserKeyExpired.TYPE.equals(type)).await().atMost(HANDLER_TIMEOUT);
    }

    /**
     * The user's state after an event: version 2 payloads carry it ({@code state}). Version 1
     * predates revisions: a registration is the first revision and a deletion the final one, but a
     * version-1 key change cannot be ordered and is skipped (user-service announces the state of a
     * user with such a record again; see docs/architecture.md).
     */
    private KnownUser announced(String type, JsonNode p) {
        String userId = p.path("userId").asText();
        if (userId.isEmpty()) {
            return null;
        }
        if (p.path("state").isObject()) {
            UserEvents.UserState state = read(p.path("state"), UserEvents.UserState.class);
            return new KnownUser(userId, state.username(), state.displayName(), state.deleted(),
                    state.currentKeyVersion(), state.currentKeyExpiresAt(), state.revision());
        }
        return switch (type) {
            case UserEvents.UserRegistered.TYPE -> new KnownUser(userId, p.path("username").asText(),
                    p.path("displayName").asText(), false, p.path("keyVersion").asInt(),
                    UserEvents.UserState.FIRST_REVISION);
            case UserEvents.UserDeleted.TYPE -> new KnownUser(userId, p.path("username").asText(),
                    p.path("displayName").asText(), true, null, UserEvents.UserState.FINAL_REVISION);
            default -> null;
        };
    }

    void onMessageEvent(ConsumerRecord<String, String> record) {
        JsonNode envelope = parse(record.value());
        if (!MessageEvents.MessageStored.TYPE.equals(envelope.path("type").asText())) {
            return;
        }
        JsonNode p = envelope.path("payload");
        sessions.onMessageStored(p.path("sessionId").asText(), p.path("seq").asLong(), p.path("epoch").asInt(),
                Instant.parse(p.path("serverTime").asText())).await().atMost(HANDLER_TIMEOUT);
    }

    private void checkEpochAges() {
        try {
            int flagged = sessions.enforceEpochAge().await().atMost(HANDLER_TIMEOUT);
            if (flagged > 0) {
                LOG.infof("epoch-age policy: %d session(s) now require a rekey", flagged);
            }
        } catch (RuntimeException e) {
            LOG.warnf("epoch-age check failed: %s", e.getClass().getSimpleName());
        }
    }

    private <T> T read(JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode parse(String value) {
        try {
            return json.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
