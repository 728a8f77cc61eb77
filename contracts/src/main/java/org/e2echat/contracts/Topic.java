package org.e2echat.contracts;

import java.util.List;
import java.util.Map;

/**
 * A Kafka topic of the system with its partition count and the topic configs it is created with
 * (the same in {@code deploy/k8s/kafka.yaml}); topics are created explicitly, never auto-created.
 */
public record Topic(String name, int partitions, String keyedBy, Map<String, String> configs) {

    /** Seven days, for the topics whose consumers only need recent history. */
    private static final Map<String, String> WEEK = Map.of("retention.ms", "604800000");

    /** Message stored, with the recipient user ids at send time. */
    public static final Topic MESSAGES = new Topic("chat.messages", 6, "sessionId", WEEK);
    /** Session created, members added, member removed or left, epoch rotated, rekey required. */
    public static final Topic SESSIONS = new Topic("chat.sessions", 6, "sessionId", WEEK);
    /**
     * Registered, key rotated, key revoked, deleted, state restated. Compacted, never expired: every
     * event carries the user's full projected state, so the last record per user rebuilds a projection
     * however old the user is.
     */
    public static final Topic USERS = new Topic("chat.users", 3, "userId", Map.of("cleanup.policy", "compact"));

    /** Records a consumer could not handle after its retries, with where they came from and why. */
    public static final Topic DEAD_LETTERS = new Topic("chat.dead-letters", 1, "original key",
            Map.of("retention.ms", "2592000000"));

    /** Every topic the system uses, in the order operators usually read them. */
    public static final List<Topic> ALL = List.of(MESSAGES, SESSIONS, USERS, DEAD_LETTERS);

    public Topic {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name is required");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic needs at least one partition: " + name);
        }
        configs = configs == null ? Map.of() : Map.copyOf(configs);
    }
}
