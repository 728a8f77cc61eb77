package org.e2echat.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Proves a service runs on real infrastructure: its own Mongo client persists and reads back a
 * document in its own database, a record produced with its Kafka configuration is consumed, and
 * readiness reports UP with the checks its requests need (never the broker's). Each service extends this once in a
 * {@code @QuarkusTest}.
 */
public abstract class InfrastructureContractTest {

    @Inject
    ReactiveMongoClient mongo;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Test
    void persistedDocumentIsReadBack() {
        String id = UUID.randomUUID().toString();
        var collection = mongo.getDatabase(database).getCollection("infra_probe");
        collection.insertOne(new Document("_id", id).append("probe", "persisted"))
                .await().atMost(Duration.ofSeconds(10));

        Document read = collection.find(new Document("_id", id)).collect().first()
                .await().atMost(Duration.ofSeconds(10));

        assertNotNull(read, "document written through the service's client was not found");
        assertEquals("persisted", read.getString("probe"));
    }

    @Test
    void producedRecordIsConsumed() throws Exception {
        String topic = "infra-probe-" + UUID.randomUUID();
        Map<String, Object> base = clientConfig();
        try (Admin admin = Admin.create(base)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String value = "probe-" + UUID.randomUUID();
        Map<String, Object> producerConfig = new HashMap<>(base);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        RecordMetadata sent;
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            sent = producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        }

        Map<String, Object> consumerConfig = new HashMap<>(base);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "infra-probe-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }

        assertEquals(1, received.size(), "expected exactly the produced record");
        assertEquals(value, received.get(0).value());
        assertEquals(sent.offset(), received.get(0).offset());
    }

    /**
     * Readiness means "can serve this service's requests": the store it writes to, but never the
     * broker (a service with an outbox keeps accepting writes while Kafka is away).
     */
    @Test
    void readinessChecksWhatRequestsNeedAndNotTheBroker() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems(readinessChecks()))
                .body("checks.name", not(hasItem("Kafka connection health check")));
    }

    /** The readiness checks this service must have; a service without a database overrides it. */
    protected String[] readinessChecks() {
        return new String[] {"MongoDB connection health check"};
    }

    private Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", kafkaConfig.get("bootstrap.servers"));
        return config;
    }
}
