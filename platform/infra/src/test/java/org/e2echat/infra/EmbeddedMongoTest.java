package org.e2echat.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
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
}
