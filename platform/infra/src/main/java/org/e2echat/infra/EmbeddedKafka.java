package org.e2echat.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.e2echat.contracts.Topic;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one), running
 * in this JVM on loopback. Topics are created explicitly; auto-creation is off, as in production.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private volatile KafkaRaftServer server;
    private final Properties props;
    private final int port;
    private final Path logDir;
    private final boolean deleteOnClose;

    private EmbeddedKafka(KafkaRaftServer server, Properties props, int port, Path logDir, boolean deleteOnClose) {
        this.server = server;
        this.props = props;
        this.port = port;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * Starts a broker and creates {@code topics}.
     *
     * @param port the client port, or 0 for a free one
     * @param dataDir where the log lives across restarts, or {@code null} for a temporary directory
     *     deleted on close
     */
    public static EmbeddedKafka start(int port, Path dataDir, List<Topic> topics) {
        int clientPort = FreePorts.orFree(port);
        int controllerPort = FreePorts.find();
        try {
            boolean temporary = dataDir == null;
            Path logDir = temporary ? Files.createTempDirectory("e2echat-kafka-") : dataDir.toAbsolutePath();
            Files.createDirectories(logDir);
            Properties props = brokerProperties(clientPort, controllerPort, logDir, !temporary);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(props, logDir);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, props, clientPort, logDir, temporary);
            try {
                kafka.createTopics(topics);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka log directory", e);
        }
    }

    static Properties brokerProperties(int clientPort, int controllerPort, Path logDir, boolean durable) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        if (durable) {
            // a file-backed stack promises that an acknowledged record survives a crash of this
            // process: fsync every append. A temporary log is gone with the process anyway, and a
            // flush per record there only delays every record behind the disk (the bench measured
            // ~1 s from produce to consume on a busy machine).
            p.put("log.flush.interval.messages", "1");
        }
        // After a crash the controller keeps the dead incarnation's registration alive for one
        // session timeout and the restarted broker waits that long to be unfenced (default 9 s).
        // Broker and controller share this process, so a short session costs no spurious fencing.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        return p;
    }

    private static void format(Properties props, Path logDir) throws IOException {
        Path config = Files.createTempFile("e2echat-kafka-", ".properties");
        try {
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "e2echat embedded broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try (PrintStream printed = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                StorageTool.execute(new String[] {
                    "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()
                }, printed);
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                throw new IllegalStateException("formatting the Kafka log directory failed: "
                        + output.toString(StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }

    /** Creates the topics that do not exist yet, with their declared partition counts and configs. */
    public void createTopics(List<Topic> topics) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.configs()))
                    .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create Kafka topics on " + bootstrapServers(), e);
        }
    }

    public int port() {
        return port;
    }

    /**
     * Takes the broker down (clients see it unreachable), runs {@code whileDown}, and starts it
     * again on the same port with the same log: for testing what happens during an outage.
     */
    public synchronized void outage(Runnable whileDown) {
        stopBroker();
        try {
            whileDown.run();
        } finally {
            startBroker();
        }
    }

    /** Stops the broker, keeping its port and log for {@link #startBroker()}; does nothing if stopped. */
    public synchronized void stopBroker() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    /** Starts the broker again after {@link #stopBroker()}; does nothing if it is running. */
    public synchronized void startBroker() {
        if (server != null) {
            return;
        }
        KafkaRaftServer restarted = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        restarted.startup();
        server = restarted;
    }

    /** The value for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public synchronized void close() {
        stopBroker();
        if (deleteOnClose) {
            deleteRecursively(logDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
