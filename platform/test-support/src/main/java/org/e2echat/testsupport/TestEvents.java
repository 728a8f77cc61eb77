package org.e2echat.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.infra.LocalInfra;

/**
 * Publishes events to the shared test broker exactly as the producing service would (same
 * envelope, same key), so a service under test can be driven through its real consumers.
 */
public final class TestEvents {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static KafkaProducer<String, String> producer;

    private TestEvents() {
    }

    /** Sends {@code payload} in an envelope of {@code type} to {@code topic} under {@code key}. */
    public static void publish(Topic topic, String key, String type, int version, Object payload) {
        try {
            String value = JSON.writeValueAsString(EventEnvelope.of(type, version, payload));
            producer().send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish test event " + type, e);
        }
    }

    /** A user as user-service would announce them; returns the user with a token for the test key. */
    public static TestUser registerUser(String prefix) {
        String id = UUID.randomUUID().toString();
        String username = prefix + "-" + id.substring(0, 8);
        publish(Topic.USERS, id, UserEvents.UserRegistered.TYPE, UserEvents.VERSION,
                new UserEvents.UserRegistered(id, username, "Person " + username, 1, "00".repeat(32)));
        return new TestUser(id, username, 1);
    }

    private static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", LocalInfra.shared().kafka().bootstrapServers(),
                    "acks", "all"), new StringSerializer(), new StringSerializer());
        }
        return producer;
    }
}
