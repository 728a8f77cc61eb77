package org.e2echat.infra;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** An embedded MongoDB-wire server on loopback: in memory by default, or backed by an H2 MVStore file. */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final InetSocketAddress address;
    private final Path dataFile;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address, Path dataFile) {
        this.server = server;
        this.address = address;
        this.dataFile = dataFile;
    }

    /**
     * Starts the server.
     *
     * @param port the port to bind, or 0 for a free one
     * @param dataFile the H2 file to persist to, or {@code null} to keep everything in memory
     */
    public static EmbeddedMongo start(int port, Path dataFile) {
        MongoBackend backend;
        if (dataFile == null) {
            backend = new MemoryBackend();
        } else {
            try {
                Path parent = dataFile.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the MongoDB data directory for " + dataFile, e);
            }
            backend = new H2Backend(dataFile.toAbsolutePath().toString());
        }
        MongoServer server = new MongoServer(new AtomicReadsBackend(backend));
        server.bind("127.0.0.1", port);
        InetSocketAddress bound = server.getLocalAddress();
        return new EmbeddedMongo(server, bound, dataFile);
    }

    public int port() {
        return address.getPort();
    }

    /** A connection string for the standard MongoDB drivers. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + port();
    }

    /** Where the data lives: {@code "memory"} or the H2 file. */
    public String storage() {
        return dataFile == null ? "memory" : dataFile.toAbsolutePath().toString();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
