package org.e2echat.message.persistence;

import io.quarkus.mongodb.panache.common.MongoEntity;
import java.time.Instant;
import java.util.List;
import org.bson.codecs.pojo.annotations.BsonId;
import org.e2echat.message.domain.Message;

/**
 * A message as stored. {@code published} is only read from data written before the outbox moved
 * to its own collection (false: still to publish); new messages leave it out.
 */
@MongoEntity(collection = "messages")
public class MessageDocument {

    @BsonId
    public String id;
    public String sessionId;
    public long seq;
    public int epoch;
    public String senderId;
    public String senderUsername;
    public String senderDisplayName;
    public int senderKeyVersion;
    public String suite;
    public String clientMessageId;
    public String nonce;
    public String ciphertext;
    public String signature;
    public Instant clientTime;
    public Instant serverTime;
    public List<String> recipients;
    public String bodyHash;
    public Boolean published;

    static MessageDocument from(Message m) {
        MessageDocument d = new MessageDocument();
        d.id = m.messageId();
        d.sessionId = m.sessionId();
        d.seq = m.seq();
        d.epoch = m.epoch();
        d.senderId = m.senderId();
        d.senderUsername = m.senderUsername();
        d.senderDisplayName = m.senderDisplayName();
        d.senderKeyVersion = m.senderKeyVersion();
        d.suite = m.suite();
        d.clientMessageId = m.clientMessageId();
        d.nonce = m.nonce();
        d.ciphertext = m.ciphertext();
        d.signature = m.signature();
        d.clientTime = m.clientTime();
        d.serverTime = m.serverTime();
        d.recipients = m.recipients();
        d.bodyHash = m.bodyHash();
        return d;
    }

    Message toDomain() {
        return new Message(id, sessionId, seq, epoch, senderId, senderUsername, senderDisplayName, senderKeyVersion,
                suite, clientMessageId, nonce, ciphertext, signature, clientTime, serverTime,
                recipients == null ? List.of() : recipients, bodyHash);
    }
}
