package org.e2echat.common.outbox;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * Which replica of a service publishes one topic: a lease document per topic in the service's own
 * database ({@code outbox_leases}), taken when free or expired and renewed by its holder. It also
 * carries a doorbell counter: a replica that is not the publisher rings it after a write, and the
 * publisher, which watches it, starts a pass at once instead of waiting for its next sweep.
 */
public final class OutboxLease {

    /** Duplicate key: another replica inserted the lease document first. */
    private static final int DUPLICATE_KEY = 11000;

    private final ReactiveMongoCollection<Document> leases;
    private final String name;
    private final String owner;

    public OutboxLease(ReactiveMongoCollection<Document> leases, String name, String owner) {
        this.leases = leases;
        this.name = name;
        this.owner = owner;
    }

    /**
     * Takes the lease if it is free, expired or already ours, valid until {@code now + ttl}.
     * True when this replica holds it afterwards.
     */
    public Uni<Boolean> acquire(Instant now, Duration ttl) {
        return leases.findOneAndUpdate(
                Filters.and(Filters.eq("_id", name),
                        Filters.or(Filters.eq("owner", owner), Filters.lt("expiresAt", Date.from(now)))),
                Updates.combine(Updates.set("owner", owner), Updates.set("expiresAt", Date.from(now.plus(ttl))),
                        Updates.set("renewedAt", Date.from(now))),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER))
                .map(doc -> doc != null && owner.equals(doc.getString("owner")))
                .onFailure(e -> e instanceof MongoException m && m.getCode() == DUPLICATE_KEY).recoverWithItem(false);
    }

    /** Gives the lease up (on shutdown), so another replica takes over without waiting for expiry. */
    public Uni<Void> release() {
        return leases.updateOne(Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner)),
                Updates.set("expiresAt", new Date(0))).replaceWithVoid();
    }

    /** Tells the publisher that there is something new to publish. */
    public Uni<Void> ring() {
        return leases.updateOne(Filters.eq("_id", name), Updates.inc("doorbell", 1L)).replaceWithVoid();
    }

    /** The doorbell's count (changes whenever some replica rang). */
    public Uni<Long> doorbell() {
        return leases.find(Filters.eq("_id", name)).collect().first()
                .map(d -> d == null || d.get("doorbell") == null ? 0L : ((Number) d.get("doorbell")).longValue());
    }

    public String owner() {
        return owner;
    }
}
