package org.e2echat.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * {@code e2e --history}: brings message-service's store to a given number of stored messages
 * before a step, so the report can show whether CPU per message grows with history. The messages
 * are written straight into the store (documents as message-service writes them: the message, and
 * the session's head so that new sends number after them), spread over the bench's sessions and
 * senders; their ciphertext is random bytes no client will ever read. Sending 100,000 messages
 * through the pipeline would take longer than the measurement itself.
 */
final class History {

    private static final String DATABASE = "messages";
    private static final int BATCH = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private History() {
    }

    /** How many messages the store holds now. */
    static long stored(String mongoUrl) {
        try (MongoClient client = MongoClients.create(mongoUrl)) {
            return client.getDatabase(DATABASE).getCollection("messages").countDocuments();
        }
    }

    /** Adds {@code count} messages round-robin over {@code sessions} (each with its members' ids). */
    static void add(String mongoUrl, List<String> sessions, List<List<E2eScenario.Member>> members, long count,
            Watchdog watchdog) {
        if (count <= 0) {
            return;
        }
        try (MongoClient client = MongoClients.create(mongoUrl)) {
            MongoCollection<Document> messages = client.getDatabase(DATABASE).getCollection("messages");
            MongoCollection<Document> heads = client.getDatabase(DATABASE).getCollection("message_heads");
            long[] next = new long[sessions.size()];
            for (int s = 0; s < sessions.size(); s++) {
                Document head = heads.find(Filters.eq("_id", sessions.get(s))).first();
                next[s] = head == null ? 1 : ((Number) head.get("seq")).longValue() + 1;
            }
            long written = 0;
            long lastReport = System.nanoTime();
            while (written < count) {
                watchdog.check();
                List<Document> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH && written + i < count; i++) {
                    int s = (int) ((written + i) % sessions.size());
                    List<E2eScenario.Member> room = members.get(s);
                    batch.add(message(sessions.get(s), next[s]++, room.get((int) ((written + i) % room.size())), room));
                }
                messages.insertMany(batch);
                written += batch.size();
                if (System.nanoTime() - lastReport > 2_000_000_000L || written == count) {
                    System.out.printf("[e2e history] %d/%d messages written to the store%n", written, count);
                    lastReport = System.nanoTime();
                }
            }
            for (int s = 0; s < sessions.size(); s++) {
                heads.updateOne(Filters.eq("_id", sessions.get(s)), Updates.max("seq", next[s] - 1),
                        new UpdateOptions().upsert(true));
            }
        }
    }

    private static Document message(String sessionId, long seq, E2eScenario.Member sender,
            List<E2eScenario.Member> room) {
        Date now = new Date();
        String nonce = random(12);
        String ciphertext = random(48);
        String signature = random(64);
        String clientMessageId = UUID.randomUUID().toString();
        return new Document("_id", UUID.randomUUID().toString())
                .append("sessionId", sessionId)
                .append("seq", seq)
                .append("epoch", 1)
                .append("senderId", sender.id())
                .append("senderUsername", sender.username())
                .append("senderDisplayName", sender.username())
                .append("senderKeyVersion", 1)
                .append("suite", IdentityEncoding.SUITE_V1)
                .append("clientMessageId", clientMessageId)
                .append("nonce", nonce)
                .append("ciphertext", ciphertext)
                .append("signature", signature)
                .append("clientTime", now)
                .append("serverTime", now)
                .append("recipients", room.stream().map(E2eScenario.Member::id).toList())
                .append("bodyHash", sha256(clientMessageId + nonce + ciphertext));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
