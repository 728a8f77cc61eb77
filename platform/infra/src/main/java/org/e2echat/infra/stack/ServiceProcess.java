package org.e2echat.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One packaged service ({@code <service>/target/quarkus-app/quarkus-run.jar}) running as its own
 * process, logging to a file; used by the local stack and by tests that need a real peer service.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ServiceSpec spec;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(ServiceSpec spec, int port, Path log, Process process) {
        this.spec = spec;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** The packaged jar of {@code spec} under the repository {@code root}. */
    public static Path jar(Path root, ServiceSpec spec) {
        return root.resolve(spec.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Starts the service on {@code port} with {@code env} added to this process's environment. */
    public static ServiceProcess start(Path root, ServiceSpec spec, int port, Map<String, String> env, Path log)
            throws IOException {
        return start(root, spec, port, env, log, false);
    }

    /**
     * As {@link #start(Path, ServiceSpec, int, Map, Path)}; with {@code appendLog} the log keeps
     * what earlier runs wrote (a restart after a crash keeps the crash's evidence).
     */
    public static ServiceProcess start(Path root, ServiceSpec spec, int port, Map<String, String> env, Path log,
            boolean appendLog) throws IOException {
        return start(root, spec, port, env, log, appendLog, List.of());
    }

    /** As above, with {@code jvmArgs} added to the service's JVM options (e.g. a JFR recording). */
    public static ServiceProcess start(Path root, ServiceSpec spec, int port, Map<String, String> env, Path log,
            boolean appendLog, List<String> jvmArgs) throws IOException {
        Path jar = jar(root, spec);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + spec.name() + " first");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new java.util.ArrayList<>(List.of(javaBinary(), "-Xmx" + spec.heap()));
        command.addAll(spec.jvmOptions());
        command.addAll(jvmArgs);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.resolve(spec.name()).toFile())
                .redirectErrorStream(true)
                .redirectOutput(appendLog ? ProcessBuilder.Redirect.appendTo(log.toFile())
                        : ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        return new ServiceProcess(spec, port, log, builder.start());
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail if the process dies. */
    public void awaitReady(Duration timeout, BooleanSupplier cancelled) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        while (System.nanoTime() < deadline) {
            if (cancelled.getAsBoolean()) {
                throw new IllegalStateException("stopped while waiting for " + spec.name());
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(spec.name() + " exited with code " + process.exitValue() + "; see "
                        + log + tail(log));
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(spec.name() + " was not ready after " + timeout.toSeconds() + " s; see " + log
                + tail(log));
    }

    public ServiceSpec spec() {
        return spec;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public Process process() {
        return process;
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    @Override
    public void close() {
        process.destroy();
        awaitOrKill(process);
    }

    static void awaitOrKill(Process process) {
        try {
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of a log, for error messages. */
    static String tail(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> all = lines.toList();
            List<String> last = all.subList(Math.max(0, all.size() - 15), all.size());
            return last.isEmpty() ? "" : "\n--- last lines of " + log.getFileName() + " ---\n" + String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The java launcher of the running JDK. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
