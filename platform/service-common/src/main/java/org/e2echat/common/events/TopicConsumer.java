package org.e2echat.common.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.e2echat.contracts.Topic;
import org.jboss.logging.Logger;

/**
 * A consumer that never stops silently: polls on its own thread, hands each record to the handler
 * in partition order, and commits what was handled (at-least-once; handlers must be idempotent).
 *
 * <ul>
 * <li>Any failure of the client itself (poll, commit, a rebalance, a broker gone for minutes)
 * closes the client and starts a new one after a backoff (0.5 s doubling to 30 s, with jitter);
 * uncommitted records are delivered again.</li>
 * <li>A record whose handler fails is retried with backoff without leaving the group (the
 * partition is rewound to it). Under {@link OnFailure#BLOCK} it is never skipped: the partition
 * waits until the handler succeeds (for projections where skipping would be a silent security
 * hole, such as {@code chat.users}). Under {@link OnFailure#DEAD_LETTER} it is written to
 * {@code chat.dead-letters} with where it came from and why after a few attempts, counted, and
 * the partition moves on.</li>
 * <li>{@link #state()} says whether it is consuming; services expose it as a health check, and
 * metrics carry restarts, failures, dead letters and (from the client) consumer lag.</li>
 * </ul>
 */
public final class TopicConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicConsumer.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /** What happens to a record whose handler keeps failing. */
    public enum OnFailure {
        /** Retry forever; the partition does not move past it. */
        BLOCK,
        /** After {@link Options#attempts()} attempts, write it to the dead-letter topic and move on. */
        DEAD_LETTER
    }

    /** Where the consumer is: only {@code CONSUMING} means every new record is being handled. */
    public enum State {
        STARTING, CONSUMING, RETRYING_RECORD, RESTARTING, STOPPED
    }

    /**
     * How to consume. {@code offsetReset}: {@code earliest} for projections, {@code latest} for live
     * fan-out. {@code commitOffsets}: false for a group that is never resumed (a fresh group per
     * process), which then never waits for the coordinator. {@code lookback}, when set, starts a
     * partition the group has no offset for at the records of that long ago instead (what a
     * per-instance view of recent events needs).
     */
    public record Options(String groupId, List<String> topics, String offsetReset, OnFailure onFailure, int attempts,
            Duration initialBackoff, Duration maxBackoff, boolean commitOffsets, Duration lookback) {

        public static Options of(String groupId, List<String> topics, String offsetReset, OnFailure onFailure) {
            return new Options(groupId, topics, offsetReset, onFailure, 5, Duration.ofMillis(500), Duration.ofSeconds(30),
                    true, null);
        }

        public Options backoff(Duration initial, Duration max) {
            return new Options(groupId, topics, offsetReset, onFailure, attempts, initial, max, commitOffsets, lookback);
        }

        /** Never commits: for a group no process ever resumes (live fan-out from the latest offset). */
        public Options withoutCommits() {
            return new Options(groupId, topics, offsetReset, onFailure, attempts, initialBackoff, maxBackoff, false,
                    lookback);
        }

        /** Starts where no offset is committed at the records of {@code ago} ago (the end if there are none since). */
        public Options startingAgo(Duration ago) {
            return new Options(groupId, topics, "latest", onFailure, attempts, initialBackoff, maxBackoff, commitOffsets,
                    ago);
        }
    }

    /**
     * A record's value read as a JSON event envelope, or null when it is not JSON (or has no value):
     * such a record is logged by its coordinates (never its content) and its handler skips it.
     */
    public static JsonNode envelope(ObjectMapper json, ConsumerRecord<String, String> record) {
        try {
            if (record.value() != null) {
                return json.readTree(record.value());
            }
        } catch (IOException e) {
            // logged below
        }
        LOG.warnf("unreadable event at %s-%d@%d", record.topic(), record.partition(), record.offset());
        return null;
    }

    /** Headers of a dead-lettered record: where it came from and why it could not be handled. */
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String DLQ_PARTITION = "dlq.partition";
    public static final String DLQ_OFFSET = "dlq.offset";
    public static final String DLQ_GROUP = "dlq.group";
    public static final String DLQ_ERROR = "dlq.error";

    private final Map<String, Object> kafkaConfig;
    private final Function<Map<String, Object>, org.apache.kafka.clients.consumer.Consumer<String, String>> clients;
    private final Options options;
    private final Consumer<ConsumerRecord<String, String>> handler;
    private final MeterRegistry registry;
    private final String metricGroup;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<org.apache.kafka.clients.consumer.Consumer<String, String>> current = new AtomicReference<>();
    private final Object sleeper = new Object();
    private final Counter restarts;
    private final Counter failures;
    private final Counter deadLettered;
    private final Thread thread;
    private volatile boolean assigned;
    private volatile Instant stateSince = Instant.now();
    private KafkaProducer<String, String> deadLetters;
    /** Attempts of the record a partition is stuck on (offset → attempts), across rewinds. */
    private final Map<TopicPartition, long[]> stuck = new HashMap<>();
    /** Offsets handled but not yet committed (a commit timed out); sent with the next commit. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    /**
     * @param kafkaConfig the whole {@code kafka.*} configuration (bootstrap servers, TLS, SASL, ...);
     *     consumer-specific settings are added on top
     * @param registry where metrics go, or {@code null} for none (plain unit tests)
     */
    public TopicConsumer(Map<String, Object> kafkaConfig, Options options,
            Consumer<ConsumerRecord<String, String>> handler, MeterRegistry registry) {
        this(kafkaConfig, options, handler, registry,
                config -> new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer()));
    }

    /** With a client factory of the test's choosing (a {@code MockConsumer} that fails on demand). */
    TopicConsumer(Map<String, Object> kafkaConfig, Options options, Consumer<ConsumerRecord<String, String>> handler,
            MeterRegistry registry, Function<Map<String, Object>, org.apache.kafka.clients.consumer.Consumer<String,
                    String>> clients) {
        this.clients = clients;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.options = options;
        this.handler = handler;
        this.registry = registry;
        // a group per instance ends in a random UUID; metrics group the instances under one name
        this.metricGroup = options.groupId().replaceFirst("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", "");
        Tags tags = Tags.of("group", metricGroup, "topics", String.join(",", options.topics()));
        this.restarts = counter("e2echat_consumer_restarts", "Consumer clients restarted after a failure", tags);
        this.failures = counter("e2echat_consumer_handler_failures", "Handler failures (each attempt)", tags);
        this.deadLettered = counter("e2echat_consumer_dead_lettered", "Records written to the dead-letter topic", tags);
        if (registry != null) {
            Gauge.builder("e2echat_consumer_consuming", this, c -> c.state() == State.CONSUMING ? 1 : 0)
                    .description("1 while the consumer is consuming, 0 while starting, retrying, restarting or stopped")
                    .tags(tags).register(registry);
        }
        this.thread = new Thread(this::supervise, "consumer-" + String.join(",", options.topics()));
        thread.setDaemon(true);
        thread.start();
    }

    private Counter counter(String name, String description, Tags tags) {
        return registry == null ? null : Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static void increment(Counter c) {
        if (c != null) {
            c.increment();
        }
    }

    /** Runs client after client until closed; nothing a client throws ends it. */
    private void supervise() {
        Duration backoff = options.initialBackoff();
        while (running.get()) {
            Instant started = Instant.now();
            try {
                consume();
            } catch (WakeupException e) {
                if (!running.get()) {
                    break;
                }
                restartAfter("wakeup", e);
            } catch (Throwable e) {
                restartAfter(e.getClass().getSimpleName(), e);
            }
            if (!running.get()) {
                break;
            }
            if (Duration.between(started, Instant.now()).compareTo(options.maxBackoff()) > 0) {
                backoff = options.initialBackoff();
            }
            pause(jitter(backoff));
            backoff = min(backoff.multipliedBy(2), options.maxBackoff());
        }
        setState(State.STOPPED);
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
    }

    private void restartAfter(String what, Throwable e) {
        lastError.set(what);
        assigned = false;
        setState(State.RESTARTING);
        increment(restarts);
        LOG.warnf("consumer of %s failed (%s: %s); restarting it", options.topics(), what, e.getMessage());
    }

    private void consume() {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, options.offsetReset());
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (org.apache.kafka.clients.consumer.Consumer<String, String> consumer = clients.apply(config);
                KafkaClientMetrics metrics = bindMetrics(consumer)) {
            current.set(consumer);
            uncommitted.clear();
            if (!running.get()) {
                return;
            }
            consumer.subscribe(options.topics(), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(stuck::remove);
                    partitions.forEach(uncommitted::remove);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (options.lookback() != null) {
                        startAgo(consumer, partitions);
                    }
                    // Fix each starting offset now (committed, or per offsetReset), so that
                    // "assigned" means every record written from here on will be consumed.
                    partitions.forEach(consumer::position);
                    assigned = true;
                }
            });
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (assigned && state.get() != State.RETRYING_RECORD) {
                    setState(State.CONSUMING);
                }
                handleBatch(consumer, records);
            }
        } finally {
            current.set(null);
        }
    }

    /** Partitions without a committed offset start at the first record of {@code lookback} ago (or the end). */
    private void startAgo(org.apache.kafka.clients.consumer.Consumer<String, String> consumer,
            Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = System.currentTimeMillis() - options.lookback().toMillis();
        for (TopicPartition partition : partitions) {
            if (committed.get(partition) == null) {
                since.put(partition, from);
            }
        }
        if (since.isEmpty()) {
            return;
        }
        consumer.offsetsForTimes(since).forEach((partition, found) -> {
            if (found == null) {
                consumer.seekToEnd(List.of(partition));
            } else {
                consumer.seek(partition, found.offset());
            }
        });
    }

    private KafkaClientMetrics bindMetrics(org.apache.kafka.clients.consumer.Consumer<String, String> consumer) {
        if (registry == null) {
            return null;
        }
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of("group", metricGroup));
        metrics.bindTo(registry);
        return metrics;
    }

    /** Handles records partition by partition; a failing record rewinds its partition to itself. */
    private void handleBatch(org.apache.kafka.clients.consumer.Consumer<String, String> consumer, ConsumerRecords<String, String> records) {
        if (records.isEmpty()) {
            commit(consumer);
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean retrying = false;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, String> record : records.records(partition)) {
                if (!running.get()) {
                    break;
                }
                if (handle(record, partition)) {
                    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                } else {
                    consumer.seek(partition, record.offset());
                    retrying = true;
                    break;
                }
            }
        }
        uncommitted.putAll(done);
        commit(consumer);
        if (retrying) {
            setState(State.RETRYING_RECORD);
            long[] worst = stuck.values().stream().max((a, b) -> Long.compare(a[1], b[1])).orElse(new long[] {0, 1});
            pause(jitter(min(options.initialBackoff().multipliedBy(1L << Math.min(worst[1] - 1, 10)),
                    options.maxBackoff())));
        } else if (stuck.isEmpty() && assigned) {
            setState(State.CONSUMING);
        }
    }

    /**
     * Commits what was handled, waiting at most a few seconds: a coordinator that is slow to come
     * back (a broker just restarted) must not hold up delivery, so on a timeout the offsets stay
     * pending and go with the next commit (redelivery after a crash is the at-least-once price).
     * Anything else (the group moved on) restarts the client.
     */
    private void commit(org.apache.kafka.clients.consumer.Consumer<String, String> consumer) {
        if (!options.commitOffsets()) {
            uncommitted.clear();
            return;
        }
        if (uncommitted.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(new HashMap<>(uncommitted), COMMIT_TIMEOUT);
            uncommitted.clear();
        } catch (org.apache.kafka.common.errors.TimeoutException
                | org.apache.kafka.clients.consumer.RetriableCommitFailedException e) {
            LOG.debugf("commit of %s pending: %s", options.topics(), e.getClass().getSimpleName());
        }
    }

    /** True when the record is finished with (handled or dead-lettered); false to try it again later. */
    private boolean handle(ConsumerRecord<String, String> record, TopicPartition partition) {
        try {
            handler.accept(record);
            stuck.remove(partition);
            return true;
        } catch (RuntimeException e) {
            increment(failures);
            long[] attempts = stuck.compute(partition, (p, a) -> a == null || a[0] != record.offset()
                    ? new long[] {record.offset(), 1} : new long[] {record.offset(), a[1] + 1});
            lastError.set(e.getClass().getSimpleName());
            LOG.warnf("handling %s-%d@%d failed (attempt %d): %s", record.topic(), record.partition(),
                    record.offset(), attempts[1], e.getClass().getSimpleName());
            if (options.onFailure() == OnFailure.DEAD_LETTER && attempts[1] >= options.attempts()) {
                if (deadLetter(record, e)) {
                    stuck.remove(partition);
                    return true;
                }
            }
            return false;
        }
    }

    private boolean deadLetter(ConsumerRecord<String, String> record, RuntimeException cause) {
        try {
            if (deadLetters == null) {
                Map<String, Object> config = new HashMap<>(kafkaConfig);
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
                deadLetters = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
            }
            ProducerRecord<String, String> out = new ProducerRecord<>(Topic.DEAD_LETTERS.name(), record.key(),
                    record.value());
            out.headers().add(DLQ_TOPIC, bytes(record.topic()));
            out.headers().add(DLQ_PARTITION, bytes(String.valueOf(record.partition())));
            out.headers().add(DLQ_OFFSET, bytes(String.valueOf(record.offset())));
            out.headers().add(DLQ_GROUP, bytes(options.groupId()));
            out.headers().add(DLQ_ERROR, bytes(cause.getClass().getName()));
            deadLetters.send(out).get(30, TimeUnit.SECONDS);
            increment(deadLettered);
            LOG.errorf("dead-lettered %s-%d@%d after %d attempts: %s", record.topic(), record.partition(),
                    record.offset(), options.attempts(), cause.getClass().getSimpleName());
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warnf("cannot dead-letter %s-%d@%d yet (%s); will retry", record.topic(), record.partition(),
                    record.offset(), e.getClass().getSimpleName());
            return false;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void setState(State next) {
        if (state.getAndSet(next) != next) {
            stateSince = Instant.now();
        }
    }

    private void pause(Duration d) {
        synchronized (sleeper) {
            if (!running.get()) {
                return;
            }
            try {
                sleeper.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Duration jitter(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Where the consumer is now. */
    public State state() {
        return state.get();
    }

    /** Since when it is in its current state. */
    public Instant stateSince() {
        return stateSince;
    }

    /** The kind of the last failure (class name only), or {@code null}. */
    public String lastError() {
        return lastError.get();
    }

    /** The topics consumed, for health and logs. */
    public List<String> topics() {
        return options.topics();
    }

    /**
     * True once the group has assigned partitions and their starting offsets are fixed, while no
     * restart is under way: every record written from then on reaches the handler.
     */
    public boolean assigned() {
        return assigned && running.get() && state.get() != State.RESTARTING;
    }

    /** Health data for one consumer: state, since when, last error. */
    public Map<String, Object> health() {
        Map<String, Object> data = new HashMap<>();
        data.put("state", state().name());
        data.put("since", stateSince.toString());
        String error = lastError();
        if (error != null) {
            data.put("lastError", error);
        }
        return data;
    }

    @Override
    public void close() {
        running.set(false);
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        org.apache.kafka.clients.consumer.Consumer<String, String> c = current.get();
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
