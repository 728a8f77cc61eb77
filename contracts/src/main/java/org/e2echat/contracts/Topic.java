package org.e2echat.contracts;

import java.util.List;

/** A Kafka topic of the system with its partition count; topics are created explicitly, never auto-created. */
public record Topic(String name, int partitions, String keyedBy) {

    /** Message stored, with the recipient user ids at send time. */
    public static final Topic MESSAGES = new Topic("chat.messages", 6, "sessionId");
    /** Session created, members added, member removed or left, epoch rotated, rekey required. */
    public static final Topic SESSIONS = new Topic("chat.sessions", 6, "sessionId");
    /** Key rotated, key revoked, user deleted. */
    public static final Topic USERS = new Topic("chat.users", 3, "userId");

    /** Records a consumer could not handle after its retries, with where they came from and why. */
    public static final Topic DEAD_LETTERS = new Topic("chat.dead-letters", 1, "original key");

    /** Every topic the system uses, in the order operators usually read them. */
    public static final List<Topic> ALL = List.of(MESSAGES, SESSIONS, USERS, DEAD_LETTERS);

    public Topic {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name is required");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic needs at least one partition: " + name);
        }
    }
}
