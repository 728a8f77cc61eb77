package org.e2echat.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.e2echat.contracts.Topic;

/**
 * The infrastructure every service needs, started together: the MongoDB-wire server and the
 * Kafka broker with the system's topics. Tests and the local stack both start it through here.
 */
public final class LocalInfra implements AutoCloseable {

    /** How to start: ports (0 = free) and an optional data directory for a file-backed store. */
    public record Options(int mongoPort, int kafkaPort, Path dataDir) {

        public static Options ephemeral() {
            return new Options(0, 0, null);
        }
    }

    private static final List<Logger> QUIETED = List.of(
            Logger.getLogger("kafka"),
            Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("state.change.logger"),
            Logger.getLogger("de.bwaldvogel"));

    private static LocalInfra shared;

    private final EmbeddedMongo mongo;
    private final EmbeddedKafka kafka;

    private LocalInfra(EmbeddedMongo mongo, EmbeddedKafka kafka) {
        this.mongo = mongo;
        this.kafka = kafka;
    }

    public static LocalInfra start(Options options) {
        QUIETED.forEach(l -> l.setLevel(Level.WARNING));
        Path dataDir = options.dataDir();
        EmbeddedMongo mongo = EmbeddedMongo.start(options.mongoPort(),
                dataDir == null ? null : dataDir.resolve("mongo").resolve("data.mv"));
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start(options.kafkaPort(),
                    dataDir == null ? null : dataDir.resolve("kafka"), Topic.ALL);
            return new LocalInfra(mongo, kafka);
        } catch (RuntimeException e) {
            mongo.close();
            throw e;
        }
    }

    /**
     * One in-memory instance per JVM, started on first use and stopped when the JVM exits, so
     * that every test class of a module (and every Quarkus restart) shares it.
     */
    public static synchronized LocalInfra shared() {
        if (shared == null) {
            LocalInfra infra = start(Options.ephemeral());
            Runtime.getRuntime().addShutdownHook(new Thread(infra::close, "local-infra-stop"));
            shared = infra;
        }
        return shared;
    }

    public EmbeddedMongo mongo() {
        return mongo;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The configuration a service needs to use this infrastructure. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.mongodb.connection-string", mongo.connectionString());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            mongo.close();
        }
    }
}
