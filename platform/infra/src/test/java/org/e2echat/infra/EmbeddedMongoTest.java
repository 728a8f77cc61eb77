package org.e2echat.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedMongoTest {

    @TempDir
    Path dir;

    /**
     * A reader racing a writer must see each document as one version, never some fields from
     * before an update and some from after: compare-and-set on a revision field depends on it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readersNeverSeeAHalfAppliedUpdate(boolean fileBacked) throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.start(0, fileBacked ? dir.resolve("data.mv") : null);
                MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> docs = client.getDatabase("probe").getCollection("docs");
            // a large field between the two counters makes the reply slow to encode
            List<String> bulk = new ArrayList<>(Collections.nCopies(1_000, "x".repeat(40)));
            docs.insertOne(new Document("_id", "d").append("first", 0).append("bulk", bulk).append("last", 0));
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<Integer> writer = pool.submit(() -> {
                    int i = 0;
                    while (!stop.get() && i < 500) {
                        i++;
                        docs.updateOne(Filters.eq("_id", "d"),
                                Updates.combine(Updates.set("first", i), Updates.set("bulk", bulk),
                                        Updates.set("last", i)));
                    }
                    return i;
                });
                List<Future<Integer>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(pool.submit(() -> {
                        int reads = 0;
                        while (!writer.isDone()) {
                            Document d = docs.find(Filters.eq("_id", "d")).first();
                            reads++;
                            if (!d.get("first").equals(d.get("last"))) {
                                stop.set(true);
                                throw new AssertionError("torn read: first=" + d.get("first") + " last="
                                        + d.get("last"));
                            }
                        }
                        return reads;
                    }));
                }
                int writes = writer.get(120, TimeUnit.SECONDS);
                for (Future<Integer> reader : readers) {
                    assertTrue(reader.get(120, TimeUnit.SECONDS) > 0, "a reader never ran");
                }
                assertEquals(writes, docs.find().first().getInteger("last"));
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }
    /**
     * A filter that pins {@code _id} and checks more (a compare-and-set on a version, an update
     * that applies only in one epoch) examines the one document with that id, not the whole
     * collection, and still applies every condition; {@code _id $in} likewise.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void filtersThatPinTheIdExamineOnlyThatDocument(boolean fileBacked) throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.start(0, fileBacked ? dir.resolve("ids.mv") : null);
                MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> docs = client.getDatabase("probe").getCollection("sessions");
            List<Document> all = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                all.add(new Document("_id", "s" + i).append("version", 1).append("epoch", 1));
            }
            docs.insertMany(all);

            long before = IdLookups.examined();
            assertEquals(1, docs.updateOne(Filters.and(Filters.eq("_id", "s7"), Filters.eq("version", 1)),
                    Updates.set("version", 2)).getModifiedCount());
            assertEquals(0, docs.updateOne(Filters.and(Filters.eq("_id", "s7"), Filters.eq("version", 1)),
                    Updates.set("version", 3)).getModifiedCount(), "the other condition still applies");
            assertEquals(2, docs.find(Filters.and(Filters.eq("_id", "s7"), Filters.eq("epoch", 1))).first()
                    .getInteger("version"));
            assertEquals(List.of("s1", "s2"), docs.find(new Document("_id", new Document("$in", List.of("s2", "s1", "no")))
                    .append("epoch", 1)).sort(new Document("_id", 1)).map(d -> d.getString("_id")).into(new ArrayList<>()));
            long examined = IdLookups.examined() - before;
            assertTrue(examined <= 10, "documents examined by four id-pinned filters (flat and $and): " + examined);

            before = IdLookups.examined();
            assertEquals(2_000, docs.find(Filters.eq("epoch", 1)).into(new ArrayList<>()).size());
            assertTrue(IdLookups.examined() - before >= 2_000, "a filter without _id still reads everything");
        }
    }
    /** A data file written by the library's own H2 backend (before this project's) opens with its data. */
    @Test
    void filesWrittenByTheLibrarysBackendOpenUnchanged() {
        Path file = dir.resolve("library.mv");
        MongoServer library = new MongoServer(new H2Backend(file.toString()));
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:"
                + library.bind().getPort())) {
            client.getDatabase("probe").getCollection("users").insertOne(new Document("_id", "u1").append("v", 7));
        } finally {
            library.shutdown();
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.start(0, file);
                MongoClient client = MongoClients.create(mongo.connectionString())) {
            Document d = client.getDatabase("probe").getCollection("users")
                    .find(Filters.and(Filters.eq("_id", "u1"), Filters.eq("v", 7))).first();
            assertEquals(7, d.getInteger("v"));
        }
    }
}
