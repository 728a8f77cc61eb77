package org.e2echat.system;

import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.Document;

/**
 * The whole-system audit for secrets: everything the system stored or published, as text, and
 * which secrets appear in which of it. Every test that checks "the servers never saw this" uses it.
 */
public final class SecretAudit {

    private SecretAudit() {
    }

    /** Every document of every database, one JSON line each. */
    public static String mongoDump(String connectionString) {
        StringBuilder dump = new StringBuilder();
        try (MongoClient client = MongoClients.create(connectionString)) {
            for (String name : client.listDatabaseNames()) {
                MongoDatabase db = client.getDatabase(name);
                for (String collection : db.listCollectionNames()) {
                    for (Document doc : db.getCollection(collection).find()) {
                        dump.append(name).append('.').append(collection).append(' ').append(doc.toJson()).append('\n');
                    }
                }
            }
        }
        return dump.toString();
    }

    /** Every record (key, value, headers) of the three event topics, from the beginning. */
    public static String topicDump(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "whole-system-audit-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        StringBuilder dump = new StringBuilder();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of("chat.messages", "chat.sessions", "chat.users")) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    dump.append(r.topic()).append(' ').append(text(r.key())).append(' ').append(text(r.value()));
                    for (Header h : r.headers()) {
                        dump.append(' ').append(h.key()).append('=').append(text(h.value()));
                    }
                    dump.append('\n');
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return dump.toString();
    }

    /** "what in where" for every secret (name → value) found in any store (name → content). */
    public static List<String> leaks(Map<String, String> secrets, Map<String, String> stores) {
        List<String> leaks = new ArrayList<>();
        stores.forEach((store, content) -> secrets.forEach((what, value) -> {
            if (content.contains(value)) {
                leaks.add(what + " in " + store);
            }
        }));
        return leaks;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
