package org.e2echat.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.e2echat.common.events.TopicConsumer;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.contracts.events.SessionEvents;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.contracts.frames.Frames;
import org.e2echat.gateway.domain.ConnectionRegistry;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Consumes {@code chat.messages}, {@code chat.sessions} and {@code chat.users} with a consumer
 * group of its own (every gateway instance sees every event), from the latest offset. Each event
 * becomes one frame, encoded once to UTF-8 bytes and written to the live connections of exactly its
 * recipients.
 * A deleted user's sockets are closed. Ready once its partitions are assigned. The group is new
 * with every process and never resumed, so it commits nothing: a synchronous commit after each
 * batch held the next poll for up to ~190 ms under load (JFR on the bench's fan-out run).
 */
@ApplicationScoped
@Readiness
public class FanOut implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(FanOut.class);
    private static final Set<String> SESSION_EVENTS = Set.of(SessionEvents.SessionCreated.TYPE,
            SessionEvents.MembersAdded.TYPE, SessionEvents.MemberRemoved.TYPE, SessionEvents.SessionKeyRotated.TYPE,
            SessionEvents.RekeyRequired.TYPE);

    private final ConnectionRegistry registry;
    private final ObjectMapper json;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry meters;
    private volatile TopicConsumer consumer;
    private volatile boolean stopping;

    public FanOut(ConnectionRegistry registry, ObjectMapper json,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.registry = registry;
        this.json = json;
        this.kafkaConfig = kafkaConfig;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        consumer = new TopicConsumer(kafkaConfig, TopicConsumer.Options.of("gateway-" + UUID.randomUUID(),
                List.of(Topic.MESSAGES.name(), Topic.SESSIONS.name(), Topic.USERS.name()), "latest",
                TopicConsumer.OnFailure.DEAD_LETTER).withoutCommits(), this::onEvent, meters);
    }

    /** The first step of shutdown: clients get 1001 (reconnect elsewhere) before anything else stops. */
    void goingAway(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        closeAll();
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
        closeAll();
        if (consumer != null) {
            consumer.close();
        }
    }

    private void closeAll() {
        try {
            registry.closeAll(Frames.CloseCodes.GOING_AWAY, "server shutting down; reconnect and catch up")
                    .get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("not every connection confirmed its close: %s", e.getClass().getSimpleName());
        }
    }

    /**
     * True once every event written from now on will reach this instance's connections, and
     * until shutdown begins (a socket opened then would only be closed again).
     */
    public boolean live() {
        TopicConsumer c = consumer;
        return !stopping && c != null && c.assigned();
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("Gateway fan-out consumer").status(live());
        TopicConsumer c = consumer;
        if (c != null) {
            c.health().forEach((k, v) -> b.withData(k, String.valueOf(v)));
        }
        return b.build();
    }

    /**
     * The frame for the event, as UTF-8 bytes written once for all its recipients: the payload's
     * fields except {@code recipients}, streamed from the parsed event into the frame (no copy of
     * the payload tree, no String in between).
     */
    private byte[] frame(String type, JsonNode envelope, JsonNode payload) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (MessageEvents.MessageStored.TYPE.equals(type)) {
                g.writeStringField("type", "message");
                g.writeFieldName("message");
            } else {
                g.writeStringField("type", "session");
                g.writeStringField("event", type);
                g.writeStringField("eventId", envelope.path("eventId").asText());
                g.writeFieldName("payload");
            }
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> fields = payload.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getKey().equals("recipients")) {
                    g.writeFieldName(field.getKey());
                    json.writeTree(g, field.getValue());
                }
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    void onEvent(ConsumerRecord<String, String> record) {
        JsonNode envelope = TopicConsumer.envelope(json, record);
        if (envelope == null) {
            return;
        }
        String type = envelope.path("type").asText();
        JsonNode payload = envelope.path("payload");
        if (UserEvents.UserDeleted.TYPE.equals(type)) {
            registry.closeUser(payload.path("userId").asText(), Frames.CloseCodes.POLICY, Frames.CloseCodes.ACCOUNT_DELETED);
            return;
        }
        if (!MessageEvents.MessageStored.TYPE.equals(type) && !SESSION_EVENTS.contains(type)) {
            return;
        }
        List<String> recipients = new ArrayList<>();
        payload.path("recipients").forEach(n -> recipients.add(n.asText()));
        int delivered = registry.deliver(recipients, frame(type, envelope, payload));
        LOG.debugf("%s for %d recipient(s) written to %d connection(s)", type, recipients.size(), delivered);
    }
}
