package org.e2echat.common.events;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka interceptor (producer and consumer) that records, for every record a client sends or
 * receives, the configuration that client was built with. Installed only through the
 * configuration itself ({@code interceptor.classes}), so a client that was not given the whole
 * configuration records nothing.
 */
public class ConfigRecordingInterceptor implements ProducerInterceptor<String, String>,
        ConsumerInterceptor<String, String> {

    /** One record seen by one client: sent or consumed, its topic, and that client's configuration. */
    public record Seen(String direction, String topic, Map<String, ?> config) {
    }

    public static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

    private volatile Map<String, ?> config = Map.of();

    /** The client's whole configuration, as the client hands it to its interceptors. */
    @Override
    public void configure(Map<String, ?> configs) {
        this.config = Map.copyOf(configs);
    }

    @Override
    public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
        SEEN.add(new Seen("sent", record.topic(), config));
        return record;
    }

    @Override
    public ConsumerRecords<String, String> onConsume(ConsumerRecords<String, String> records) {
        records.forEach(r -> SEEN.add(new Seen("consumed", r.topic(), config)));
        return records;
    }

    /** Whether a client built with {@code expected} (all of it) sent or consumed a record of {@code topic}. */
    public static boolean saw(String direction, String topic, Map<String, String> expected) {
        return SEEN.stream().anyMatch(s -> s.direction().equals(direction) && s.topic().equals(topic)
                && expected.entrySet().stream().allMatch(e -> e.getValue().equals(String.valueOf(s.config().get(e.getKey())))));
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
