package org.e2echat.session.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.e2echat.common.outbox.EventJson;
import org.e2echat.contracts.Topic;
import org.e2echat.contracts.events.MessageEvents;
import org.e2echat.contracts.events.UserEvents;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.e2echat.infra.LocalInfra;
import org.e2echat.session.domain.KnownUser;
import org.e2echat.session.persistence.KnownUserMongoRepository;
import org.e2echat.testsupport.TestJwt;

/**
 * Test people and sessions: users come into being the way they do in production, as
 * {@code chat.users} events on the real broker; tokens come from the shared test key.
 */
final class Fixture {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static KafkaProducer<String, String> producer;

    record Person(String id, String username, int keyVersion) {

        String token() {
            return TestJwt.forge().valid(id, username);
        }

        RequestSpecification as() {
            return given().header("Authorization", "Bearer " + token()).contentType(ContentType.JSON);
        }

        Person withKeyVersion(int v) {
            return new Person(id, username, v);
        }
    }

    private final EventJson json;
    private final KnownUserMongoRepository directory;

    Fixture(EventJson json, KnownUserMongoRepository directory) {
        this.json = json;
        this.directory = directory;
    }

    /** Registered users, known to session-service once this returns. */
    List<Person> people(int n) {
        List<Person> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            String name = "p" + SEQ.incrementAndGet() + "-" + id.substring(0, 6);
            publishUser(id, UserEvents.UserRegistered.TYPE,
                    new UserEvents.UserRegistered(id, name, "Person " + name, 1, "00".repeat(32)));
            list.add(new Person(id, name, 1));
        }
        for (Person p : list) {
            awaitKnown(p.id(), u -> u != null);
        }
        return list;
    }

    void publishUser(String userId, String type, Object payload) {
        send(Topic.USERS.name(), userId, json.encode(type, UserEvents.VERSION, payload).json());
    }

    void publishMessage(String sessionId, long seq, int epoch, List<String> recipients) {
        String sender = recipients.get(0);
        send(Topic.MESSAGES.name(), sessionId, json.encode(MessageEvents.MessageStored.TYPE, MessageEvents.VERSION,
                new MessageEvents.MessageStored(UUID.randomUUID().toString(), sessionId, seq, epoch, sender, "n", "N", 1,
                        IdentityEncoding.SUITE_V1, UUID.randomUUID().toString(), b64(12), b64(40), b64(64),
                        Instant.now(), Instant.now(), recipients)).json());
    }

    void awaitKnown(String userId, java.util.function.Predicate<KnownUser> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> condition.test(directory.get(userId).await().atMost(Duration.ofSeconds(5))));
    }

    static Map<String, Object> envelope(Person recipient, Person sender) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("recipientId", recipient.id());
        e.put("recipientKeyVersion", recipient.keyVersion());
        e.put("senderKeyVersion", sender.keyVersion());
        e.put("suite", IdentityEncoding.SUITE_V1);
        e.put("enc", b64(32));
        e.put("ciphertext", b64(48));
        e.put("signature", b64(64));
        return e;
    }

    static List<Map<String, Object>> envelopes(Person sender, List<Person> recipients) {
        return recipients.stream().map(r -> envelope(r, sender)).toList();
    }

    static Map<String, Object> member(Person p, String role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", p.id());
        m.put("role", role);
        return m;
    }

    /** A group created by {@code owner} with the others as MEMBERs. */
    static String group(Person owner, List<Person> others) {
        List<Person> all = new ArrayList<>();
        all.add(owner);
        all.addAll(others);
        return createGroup(owner, others.stream().map(p -> member(p, "MEMBER")).toList(), envelopes(owner, all))
                .then().statusCode(201).extract().path("id");
    }

    static Response createGroup(Person owner, List<Map<String, Object>> members, List<Map<String, Object>> envelopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "GROUP");
        body.put("members", members);
        body.put("envelopes", envelopes);
        return owner.as().body(body).post("/v1/sessions");
    }

    static Response rotate(Person by, String sessionId, int epoch, List<Person> recipients, List<Map<String, Object>> add) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("epoch", epoch);
        body.put("addMembers", add);
        body.put("envelopes", envelopes(by, recipients));
        return by.as().body(body).post("/v1/sessions/" + sessionId + "/rotations");
    }

    static String b64(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static synchronized void send(String topic, String key, String value) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", LocalInfra.shared().kafka().bootstrapServers(),
                    "acks", "all"), new StringSerializer(), new StringSerializer());
        }
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish test event", e);
        }
    }
}
