package org.e2echat.infra;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.h2.mvstore.MVStore;

/**
 * The embedded server's backends, with one change: a filter that pins {@code _id} (a plain value
 * or {@code $in}) is answered from the {@code _id} index even when it has other conditions too.
 *
 * <p>The library uses an index only for a filter with exactly that index's fields, so
 * {@code {_id: X, version: 3}} — every compare-and-set of a session or a user, the per-message
 * activity update — read the whole collection, and cost grew with the number of sessions or
 * users. MongoDB itself looks such a document up by {@code _id} and checks the rest on it; so
 * does this now. Documents examined by a filter are counted ({@link #examined()}), like
 * MongoDB's {@code docsExamined}.
 */
final class IdLookups {

    private static final LongAdder EXAMINED = new LongAdder();

    private IdLookups() {
    }

    /** Documents a filter was checked against, since the process started. */
    static long examined() {
        return EXAMINED.sum();
    }

    static MemoryBackend memory() {
        return new MemoryBackend() {
            @Override
            public MemoryDatabase openOrCreateDatabase(String name) {
                return new MemoryDatabase(name, getCursorRegistry()) {
                    @Override
                    protected MemoryCollection openOrCreateCollection(String collection, CollectionOptions options) {
                        return new MemoryCollection(this, collection, options, cursorRegistry) {
                            @Override
                            protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
                                    int batchSize, Document projection) {
                                return query(this, query, byId -> matchDocuments(query, byId, orderBy, skip, limit,
                                        batchSize, projection), () -> super.queryDocuments(query, orderBy, skip, limit,
                                        batchSize, projection));
                            }

                            @Override
                            protected boolean documentMatchesQuery(Document document, Document query) {
                                EXAMINED.increment();
                                return super.documentMatchesQuery(document, query);
                            }
                        };
                    }
                };
            }
        };
    }

    /**
     * An H2 backend on {@code store}; its collections live in the maps the library names
     * ({@code databases.<db>.<collection>}, {@code meta.<db>.<collection>}), so existing files open
     * unchanged.
     */
    static H2Backend h2(MVStore store) {
        return new H2Backend(store) {
            @Override
            protected MongoDatabase openOrCreateDatabase(String name) {
                return new H2Database(name, store, getCursorRegistry()) {
                    @Override
                    protected MongoCollection<Object> openOrCreateCollection(String collection,
                            CollectionOptions options) {
                        String namespace = getFullCollectionNamespace(collection);
                        return new H2Collection(this, collection, options, store.openMap("databases." + namespace),
                                store.openMap("meta." + namespace), cursorRegistry) {
                            @Override
                            protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
                                    int batchSize, Document projection) {
                                return query(this, query, byId -> matchDocuments(query, byId, orderBy, skip, limit,
                                        batchSize, projection), () -> super.queryDocuments(query, orderBy, skip, limit,
                                        batchSize, projection));
                            }

                            @Override
                            protected boolean documentMatchesQuery(Document document, Document query) {
                                EXAMINED.increment();
                                return super.documentMatchesQuery(document, query);
                            }
                        };
                    }
                };
            }
        };
    }

    /** Answers {@code query} from the {@code _id} index when it pins {@code _id}, else as the library would. */
    private static <P> QueryResult query(MongoCollection<P> collection, Document query,
            Function<Iterable<P>, QueryResult> fromPositions, Supplier<QueryResult> asTheLibraryWould) {
        Iterable<P> byId = positionsById(collection, query);
        return byId == null ? asTheLibraryWould.get() : fromPositions.apply(byId);
    }

    /**
     * The positions of the documents whose {@code _id} the filter names (at its top level, or in a
     * top-level {@code $and}, as the Java driver writes {@code Filters.and}), or {@code null} when
     * the filter does not pin {@code _id} or the library already uses an index for it as it is.
     */
    static <P> Iterable<P> positionsById(MongoCollection<P> collection, Document query) {
        if (query == null || query.size() == 1 && query.containsKey("_id")) {
            return null;
        }
        Object id = pinnedId(query);
        if (id == null) {
            return null;
        }
        Document byId = new Document("_id", id);
        for (Index<P> index : collection.getIndexes()) {
            if (index.getKeys().size() == 1 && index.canHandle(byId)) {
                return index.getPositions(byId);
            }
        }
        return null;
    }

    /** The filter's condition on {@code _id} if it is a plain value or {@code $in}, else {@code null}. */
    private static Object pinnedId(Document query) {
        Object id = query.get("_id");
        if (id != null) {
            return id instanceof Document d && !(d.size() == 1 && d.containsKey("$in")) ? null : id;
        }
        if (query.get("$and") instanceof List<?> all) {
            for (Object part : all) {
                if (part instanceof Document d && (id = pinnedId(d)) != null) {
                    return id;
                }
            }
        }
        return null;
    }
}
