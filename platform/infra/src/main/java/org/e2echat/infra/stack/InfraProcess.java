package org.e2echat.infra.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.e2echat.infra.InfraMain;

/**
 * The infrastructure ({@link InfraMain}: MongoDB-wire server and Kafka broker) running as a child
 * process of this JVM, on this JVM's java launcher and classpath; used by the local stack and by
 * tests that must crash the infrastructure for real.
 */
public final class InfraProcess implements AutoCloseable {

    /** The heap {@code run.sh} gives the store and the broker: enough for a developer's history. */
    public static final String DEFAULT_HEAP = "512m";

    private final Process process;
    private final Path log;
    private final CompletableFuture<Map<String, String>> ready = new CompletableFuture<>();

    private InfraProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(this::readOutput, "infra-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the process; it exits by itself if this JVM goes away (its standard input closes).
     *
     * @param mongoPort the MongoDB-wire port, 0 for a free one
     * @param kafkaPort the Kafka client port, 0 for a free one
     * @param dataDir where the file-backed store lives, or {@code null} to keep everything in memory
     * @param log where its standard error is appended
     */
    public static InfraProcess start(int mongoPort, int kafkaPort, Path dataDir, Path log) throws IOException {
        return start(mongoPort, kafkaPort, dataDir, log, DEFAULT_HEAP);
    }

    /** As above, with a maximum heap of {@code heap} (a {@code -Xmx} value) instead of {@link #DEFAULT_HEAP}. */
    public static InfraProcess start(int mongoPort, int kafkaPort, Path dataDir, Path log, String heap)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(ServiceProcess.javaBinary(), "-Xmx" + heap,
                "-cp", System.getProperty("java.class.path"), InfraMain.class.getName(),
                "--mongo-port", String.valueOf(mongoPort),
                "--kafka-port", String.valueOf(kafkaPort),
                "--exit-on-stdin-close"));
        if (dataDir != null) {
            command.add("--data-dir");
            command.add(dataDir.toString());
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new InfraProcess(process, log);
    }

    /** Waits for the {@code READY} line; fails with the log's tail if the process dies first. */
    public void awaitReady(Duration timeout, BooleanSupplier cancelled) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (cancelled.getAsBoolean()) {
                throw new IllegalStateException("stopped while waiting for the infrastructure");
            }
            try {
                ready.get(200, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                // keep waiting
            } catch (ExecutionException e) {
                throw new IllegalStateException("the infrastructure exited before it was ready; see " + log
                        + ServiceProcess.tail(log));
            }
        }
        throw new IllegalStateException("the infrastructure was not ready after " + timeout.toSeconds() + " s; see "
                + log + ServiceProcess.tail(log));
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(InfraMain.READY + " ")) {
                    ready.complete(fields(line));
                }
                // everything else is read only to keep the pipe from filling up
            }
        } catch (IOException e) {
            // the process has gone
        }
        ready.completeExceptionally(new IllegalStateException("exited"));
    }

    private static Map<String, String> fields(String readyLine) {
        Map<String, String> fields = new HashMap<>();
        // split before each " key=", so that a storage path may contain spaces
        for (String field : readyLine.substring(InfraMain.READY.length()).trim().split(" (?=[a-z]+=)")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return fields;
    }

    private String readyField(String name) {
        Map<String, String> fields = ready.getNow(null);
        if (fields == null) {
            throw new IllegalStateException("the infrastructure is not ready");
        }
        return fields.get(name);
    }

    /** The MongoDB connection string, e.g. {@code mongodb://127.0.0.1:27017}; only once ready. */
    public String mongoUrl() {
        return readyField("mongodb");
    }

    /** The Kafka {@code bootstrap.servers} value; only once ready. */
    public String kafkaBootstrapServers() {
        return readyField("kafka");
    }

    public int mongoPort() {
        String url = mongoUrl();
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    public int kafkaPort() {
        String servers = kafkaBootstrapServers();
        return Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1));
    }

    /** {@code memory} or the MongoDB data file. */
    public String storage() {
        return readyField("storage");
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** SIGTERM (the process closes its stores cleanly), then SIGKILL after a grace period. */
    @Override
    public void close() {
        process.destroy();
        ServiceProcess.awaitOrKill(process);
    }
}
