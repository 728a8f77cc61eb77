package org.e2echat.infra;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Gives the embedded server MongoDB's single-document atomicity for readers, and durable
 * acknowledgements for writers.
 *
 * <p>mongo-java-server updates stored documents in place under a per-collection lock, but a query
 * answers with references to those same stored documents, and the wire encoder serialises them
 * after the lock is released. A reader racing a writer can therefore receive a torn document: some
 * fields from before an update and some from after. Compare-and-set code (read a revision, decide,
 * write "if the revision is unchanged") then decides on a state that never existed, and two
 * concurrent writers can both win.
 *
 * <p>This wrapper runs every command under a read-write lock — reads share it, everything else is
 * exclusive — and deep-copies the reply before releasing it, so what goes on the wire is one
 * consistent version of each document, as with a real MongoDB server.
 *
 * <p>Every non-read command also runs {@code commit} before the lock is released and the reply
 * goes out, so a write is acknowledged only once the store has made it durable, and no reader
 * can see data that a crash could still take away. Because commits happen only here, between
 * commands, the stored file never holds half of a command (say, a unique-index entry without
 * its document).
 */
final class AtomicReadsBackend implements MongoBackend {

    /** Commands that never modify data; they may run concurrently with each other. */
    private static final Set<String> READS = Set.of("find", "getMore", "count", "distinct", "listIndexes",
            "listCollections", "hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo");

    private final MongoBackend delegate;
    private final Runnable commit;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /**
     * @param commit makes everything written so far durable; runs after every non-read command,
     *     under the exclusive lock, before its reply is returned (a no-op for a memory backend)
     */
    AtomicReadsBackend(MongoBackend delegate, Runnable commit) {
        this.delegate = delegate;
        this.commit = commit;
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        return guarded(command, () -> copy(delegate.handleCommand(channel, database, command, query)));
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        String command = message.getDocument().keySet().iterator().next();
        return guarded(command, () -> copy(delegate.handleMessage(message)));
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        return guarded("find", () -> {
            QueryResult result = delegate.handleQuery(query);
            List<Document> copies = new ArrayList<>();
            for (Document d : result) {
                copies.add(d.cloneDeeply());
            }
            return new QueryResult(copies, result.getCursorId());
        });
    }

    private <T> T guarded(String command, Supplier<T> work) {
        if (READS.contains(command)) {
            Lock shared = lock.readLock();
            shared.lock();
            try {
                return work.get();
            } finally {
                shared.unlock();
            }
        }
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            T reply;
            try {
                reply = work.get();
            } catch (RuntimeException | Error failed) {
                // a failing command may have applied part of its work, which readers are about to see
                commitAfter(failed);
                throw failed;
            }
            commit.run();
            return reply;
        } finally {
            exclusive.unlock();
        }
    }

    private void commitAfter(Throwable failed) {
        try {
            commit.run();
        } catch (RuntimeException e) {
            failed.addSuppressed(e);
        }
    }

    private static Document copy(Document reply) {
        return reply == null ? null : reply.cloneDeeply();
    }

    @Override
    public void handleClose(Channel channel) {
        delegate.handleClose(channel);
    }

    @Override
    public void dropDatabase(String database) {
        guarded("dropDatabase", () -> {
            delegate.dropDatabase(database);
            return null;
        });
    }

    @Override
    public Collection<Document> getCurrentOperations(MongoQuery query) {
        return delegate.getCurrentOperations(query);
    }

    @Override
    public Document getServerStatus() {
        return delegate.getServerStatus();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void closeCursors(List<Long> cursorIds) {
        delegate.closeCursors(cursorIds);
    }

    @Override
    public Clock getClock() {
        return delegate.getClock();
    }

    @Override
    public void enableOplog() {
        delegate.enableOplog();
    }

    @Override
    public void disableOplog() {
        delegate.disableOplog();
    }

    @Override
    public MongoDatabase resolveDatabase(String database) {
        return delegate.resolveDatabase(database);
    }

    @Override
    public MongoBackend version(MongoVersion version) {
        delegate.version(version);
        return this;
    }
}
