package org.e2echat.infra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.e2echat.contracts.Topic;
import org.e2echat.infra.stack.InfraProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the real infra process (SIGKILL) while clients are writing to it, restarts it on the same
 * data directory, and checks that nothing it had acknowledged is missing: the file-backed store
 * must not acknowledge a write it could still lose.
 */
class InfraCrashTest {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final int MONGO_WRITERS = 2;
    // not chat.users: a compacted topic refuses records without a key
    private static final Topic TOPIC = Topic.MESSAGES;

    @TempDir
    Path dir;

    private final Set<String> ackedDocuments = ConcurrentHashMap.newKeySet();
    private final Set<String> ackedRecords = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger failures = new AtomicInteger();

    @Test
    void everyAcknowledgedWriteSurvivesKillMinusNineOfTheInfraProcess() throws Exception {
        Path dataDir = dir.resolve("data");
        Path log = dir.resolve("infra.log");
        ExecutorService writers = Executors.newFixedThreadPool(MONGO_WRITERS + 1);
        InfraProcess crashed = InfraProcess.start(0, 0, dataDir, log);
        try {
            crashed.awaitReady(READY, () -> false);
            List<Future<?>> running = new ArrayList<>();
            try (MongoClient mongo = client(crashed.mongoUrl());
                    KafkaProducer<String, String> producer = producer(crashed.kafkaBootstrapServers())) {
                MongoCollection<Document> docs = mongo.getDatabase("crash").getCollection("docs");
                IntStream.range(0, MONGO_WRITERS)
                        .forEach(w -> running.add(writers.submit(() -> insertUntilStopped(docs, w))));
                running.add(writers.submit(() -> produceUntilStopped(producer)));

                // past a whole tick of the old store's one-second commit timer, writes still streaming
                await().pollDelay(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(60)).untilAsserted(
                        () -> assertTrue(ackedDocuments.size() >= 200 && ackedRecords.size() >= 200,
                                "acknowledged: " + ackedDocuments.size() + " inserts, " + ackedRecords.size()
                                        + " records; failed: " + failures));
                crashed.process().destroyForcibly();
                assertTrue(crashed.process().waitFor(10, TimeUnit.SECONDS), "the infra process outlived SIGKILL");
                stop.set(true);
                producer.close(Duration.ZERO);
                for (Future<?> writer : running) {
                    writer.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            stop.set(true);
            writers.shutdownNow();
            crashed.process().destroyForcibly();
        }

        try (InfraProcess restarted = InfraProcess.start(0, 0, dataDir, log)) {
            restarted.awaitReady(READY, () -> false);
            try (MongoClient mongo = client(restarted.mongoUrl())) {
                Set<String> stored = new HashSet<>();
                mongo.getDatabase("crash").getCollection("docs").find()
                        .forEach(d -> stored.add(d.getString("_id")));
                assertNoneLost("inserts", ackedDocuments, stored);
            }
            assertNoneLost("records", ackedRecords, readAll(restarted.kafkaBootstrapServers()));
        }
    }

    private static void assertNoneLost(String what, Set<String> acknowledged, Set<String> found) {
        List<String> lost = acknowledged.stream().filter(id -> !found.contains(id)).sorted().collect(Collectors.toList());
        assertEquals(0, lost.size(), lost.size() + " of " + acknowledged.size() + " acknowledged " + what
                + " were lost by the crash, e.g. " + lost.subList(0, Math.min(10, lost.size())));
    }

    /** Inserts until told to stop; only inserts the server acknowledged are recorded. */
    private void insertUntilStopped(MongoCollection<Document> docs, int writer) {
        for (int i = 0; !stop.get(); i++) {
            String id = "w" + writer + "-" + i;
            try {
                docs.insertOne(new Document("_id", id).append("body", "x".repeat(100)));
                ackedDocuments.add(id);
            } catch (MongoException e) {
                failures.incrementAndGet();
            }
        }
    }

    /** Produces until told to stop, at most 64 records in flight; records acknowledged are recorded. */
    private void produceUntilStopped(KafkaProducer<String, String> producer) {
        Semaphore inFlight = new Semaphore(64);
        for (int i = 0; !stop.get(); i++) {
            String value = "r-" + i;
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                producer.send(new ProducerRecord<>(TOPIC.name(), value), (metadata, error) -> {
                    inFlight.release();
                    if (error == null) {
                        ackedRecords.add(value);
                    } else {
                        failures.incrementAndGet();
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IllegalStateException e) {
                return; // closed after the kill
            } catch (RuntimeException e) {
                failures.incrementAndGet();
            }
        }
    }

    private Set<String> readAll(String bootstrapServers) {
        Set<String> read = ConcurrentHashMap.newKeySet();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = IntStream.range(0, TOPIC.partitions())
                    .mapToObj(p -> new TopicPartition(TOPIC.name(), p)).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
                return read.containsAll(ackedRecords);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the assertion that follows names what is missing
        }
        return read;
    }

    private static MongoClient client(String url) {
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(url))
                // a write that is not acknowledged must fail fast, not be retried into the restart
                .retryWrites(false)
                .applyToClusterSettings(c -> c.serverSelectionTimeout(2, TimeUnit.SECONDS))
                .applyToSocketSettings(s -> s.connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS))
                .build());
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }
}
