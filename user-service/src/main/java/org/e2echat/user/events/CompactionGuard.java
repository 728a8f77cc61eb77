package org.e2echat.user.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.e2echat.common.events.TopicConsumer;
import org.e2echat.contracts.Topic;
import org.e2echat.user.domain.UserService;
import org.e2echat.user.persistence.PublishedRevisionMongoRepository;
import org.jboss.logging.Logger;

/**
 * Keeps each user's newest state the last record of the compacted {@code chat.users}. Compaction
 * keeps the last record per key, but relays publish at least once and can put an older event of a
 * user after a newer one; this consumer notices (a revision lower than one already seen for the
 * user, or a version-1 record without state) and has user-service announce the current state again.
 */
@ApplicationScoped
public class CompactionGuard {

    private static final Logger LOG = Logger.getLogger(CompactionGuard.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final UserService users;
    private final PublishedRevisionMongoRepository published;
    private final ObjectMapper json;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private volatile TopicConsumer consumer;

    public CompactionGuard(UserService users, PublishedRevisionMongoRepository published, ObjectMapper json,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry) {
        this.users = users;
        this.published = published;
        this.json = json;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        // Blocks rather than skip: a skipped record could leave an old state as a user's last one.
        consumer = new TopicConsumer(kafkaConfig, TopicConsumer.Options.of("user-service.compaction-guard",
                List.of(Topic.USERS.name()), "earliest", TopicConsumer.OnFailure.BLOCK), this::onRecord, registry);
    }

    /** The guard's consumer, for the health check ({@code null} before startup). */
    public TopicConsumer consumer() {
        return consumer;
    }

    void stop(@Observes ShutdownEvent event) {
        if (consumer != null) {
            consumer.close();
        }
    }

    void onRecord(ConsumerRecord<String, String> record) {
        String userId = record.key();
        JsonNode revision;
        try {
            revision = json.readTree(record.value()).path("payload").path("state").path("revision");
        } catch (IOException | RuntimeException e) {
            LOG.warnf("unreadable record at %s-%d@%d", record.topic(), record.partition(), record.offset());
            return;
        }
        if (userId == null) {
            return;
        }
        // Records of one user share a partition and arrive in offset order, so a revision below the
        // highest already seen means this record was written after a newer one and may be the last.
        boolean behind = !revision.canConvertToLong() || isBelowSeen(userId, revision.asLong());
        if (behind && users.restate(userId).await().atMost(TIMEOUT)) {
            LOG.infof("user %s: %s at %s-%d@%d may be the user's last record but is not the newest state;"
                    + " current state announced again", userId, revision.isMissingNode() ? "a record without state"
                            : "revision " + revision.asLong(), record.topic(), record.partition(), record.offset());
        }
    }

    private boolean isBelowSeen(String userId, long revision) {
        Long before = published.raise(userId, revision).await().atMost(TIMEOUT);
        return before != null && before > revision;
    }
}
