package org.e2echat.infra.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.InfraMain;

/**
 * Runs the whole system locally: the infrastructure process (MongoDB-wire server and Kafka
 * broker), then the four packaged services as separate processes; waits until each reports
 * ready, prints where everything is, and on SIGINT/SIGTERM stops every process it started.
 */
public final class LocalStack {

    /** Printed once everything is ready; tests and scripts wait for it. */
    public static final String READY_BANNER = "Local stack is ready";

    private static final Duration INFRA_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(180);

    private final StackOptions options;
    private final PrintStream out;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private Process infra;

    LocalStack(StackOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        StackOptions options;
        try {
            options = StackOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(StackOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(StackOptions.USAGE);
            return;
        }
        LocalStack stack = new LocalStack(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "local-stack-stop"));
        int code = stack.run();
        System.exit(code);
    }

    /** Starts everything and blocks until a process dies; returns the exit code. */
    int run() {
        try {
            Files.createDirectories(options.logDir());
            startInfra();
            if (options.infraOnly()) {
                printInfraOnly();
            } else {
                startServices();
                printReady();
            }
            Process died = waitForAnyExit();
            if (!stopping.get()) {
                String name = died == infra ? "infra" : nameOf(died);
                out.printf("[stack] %s exited unexpectedly (code %d); see %s%n", name, died.exitValue(),
                        options.logDir().resolve(name + ".log"));
                return 1;
            }
            return 0;
        } catch (StackFailure e) {
            if (!stopping.get()) {
                out.println("[stack] failed: " + e.getMessage());
            }
            return 1;
        } catch (IOException e) {
            out.println("[stack] failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private void startInfra() throws IOException, InterruptedException {
        out.printf("[stack] starting MongoDB-wire server (%s) and Kafka broker ...%n",
                options.dataDir() == null ? "in memory" : "file-backed in " + options.dataDir());
        List<String> command = new ArrayList<>(List.of(ServiceProcess.javaBinary(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), InfraMain.class.getName(),
                "--mongo-port", String.valueOf(options.mongoPort()),
                "--kafka-port", String.valueOf(options.kafkaPort()),
                "--exit-on-stdin-close"));
        if (options.dataDir() != null) {
            command.add("--data-dir");
            command.add(options.dataDir().toString());
        }
        Path log = options.logDir().resolve("infra.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        infra = builder.start();
        long started = System.nanoTime();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readReadyLine(infra));
        String line;
        try {
            line = ready.get(INFRA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            line = null;
        }
        if (line == null) {
            throw new StackFailure("the infrastructure did not start; see " + log + ServiceProcess.tail(log));
        }
        out.printf("[stack] infra ready in %.1f s: %s%n", seconds(started), line.substring(InfraMain.READY.length()).trim());
    }

    private static String readReadyLine(Process process) {
        try {
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(InfraMain.READY)) {
                    String ready = line;
                    Thread drain = new Thread(() -> drain(reader), "infra-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return ready;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // keep the pipe from filling up
            }
        } catch (IOException e) {
            // the process has gone
        }
    }

    private void startServices() throws IOException, InterruptedException {
        long launched = System.nanoTime();
        for (ServiceSpec spec : ServiceSpec.ALL) {
            int port = options.portOf(spec);
            if (!FreePorts.isFree(port)) {
                throw new StackFailure("port " + port + " for " + spec.name() + " is in use; pass "
                        + spec.portOption() + " N");
            }
            Path log = options.logDir().resolve(spec.name() + ".log");
            out.printf("[stack] starting %-16s on port %d (log: %s)%n", spec.name(), port, log);
            try {
                services.add(ServiceProcess.start(options.root(), spec, port, serviceEnvironment(), log));
            } catch (IllegalStateException e) {
                throw new StackFailure(e.getMessage() + " (deploy/local/run.sh builds when needed)");
            }
        }
        for (ServiceProcess service : services) {
            try {
                service.awaitReady(SERVICE_TIMEOUT, stopping::get);
            } catch (IllegalStateException e) {
                throw new StackFailure(e.getMessage());
            }
            out.printf("[stack] %-16s ready in %.1f s%n", service.spec().name(), seconds(launched));
        }
    }

    /** What every service is told about the infrastructure and about the other services. */
    Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URL", "mongodb://127.0.0.1:" + options.mongoPort());
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + options.kafkaPort());
        for (ServiceSpec spec : ServiceSpec.ALL) {
            env.put(spec.envPrefix() + "_URL", "http://127.0.0.1:" + options.portOf(spec));
        }
        if (options.jsonLogs()) {
            env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        }
        return env;
    }

    private Process waitForAnyExit() throws InterruptedException {
        List<CompletableFuture<Process>> exits = new ArrayList<>();
        exits.add(infra.onExit());
        services.forEach(p -> exits.add(p.process().onExit()));
        CompletableFuture<Object> any = CompletableFuture.anyOf(exits.toArray(CompletableFuture[]::new));
        try {
            return (Process) any.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new StackFailure("lost track of a child process: " + e.getMessage());
        }
    }

    /** Stops services first (gracefully, then forcibly), then the infrastructure. Idempotent. */
    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        List<ServiceProcess> all = new ArrayList<>(services);
        if (all.isEmpty() && infra == null) {
            return;
        }
        out.println("[stack] stopping ...");
        all.forEach(s -> s.process().destroy());
        all.forEach(s -> ServiceProcess.awaitOrKill(s.process()));
        if (infra != null) {
            infra.destroy();
            ServiceProcess.awaitOrKill(infra);
        }
        out.println("[stack] stopped");
        out.flush();
    }

    private void printReady() {
        StringBuilder b = new StringBuilder();
        b.append('\n').append(READY_BANNER).append(" (infra: MongoDB ").append(options.mongoPort())
                .append(", Kafka ").append(options.kafkaPort()).append(")\n\n");
        b.append(String.format("  %-16s %-28s %-40s%n", "service", "REST", "Swagger UI"));
        for (ServiceSpec spec : ServiceSpec.ALL) {
            String base = "http://localhost:" + options.portOf(spec);
            b.append(String.format("  %-16s %-28s %-40s%n", spec.name(), base, base + "/q/swagger-ui"));
        }
        int gatewayPort = options.portOf(ServiceSpec.ALL.get(3));
        b.append("\n  WebSocket        ws://localhost:").append(gatewayPort).append("/ws (subprotocol chat.v1)\n");
        b.append("  Health           http://localhost:<port>/q/health   Metrics  http://localhost:<port>/q/metrics\n");
        b.append("  Logs             ").append(options.logDir()).append('\n');
        b.append("\nTry next:\n");
        b.append("  curl -s http://localhost:").append(options.portOf(ServiceSpec.ALL.get(0)))
                .append("/q/health | head -c 400; echo\n");
        b.append("  curl -s http://localhost:").append(options.portOf(ServiceSpec.ALL.get(0)))
                .append("/.well-known/jwks.json; echo\n");
        b.append("  open the Swagger UI of any service above and try its endpoints (docs/api.md)\n");
        b.append("\nPress Ctrl-C to stop everything.\n");
        out.print(b);
        out.flush();
    }

    private void printInfraOnly() {
        out.printf("%n%s (infra only)%n%n", READY_BANNER);
        out.printf("  MONGODB_URL=mongodb://127.0.0.1:%d%n", options.mongoPort());
        out.printf("  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:%d%n%n", options.kafkaPort());
        out.println("Run one service in dev mode against it, for example:");
        out.println("  deploy/local/mvn39 -pl user-service -am quarkus:dev");
        out.println("(with non-default ports, export the two variables above first)");
        out.println("\nPress Ctrl-C to stop.");
        out.flush();
    }

    private String nameOf(Process process) {
        return services.stream().filter(s -> s.process() == process).map(s -> s.spec().name()).findFirst()
                .orElse("process " + process.pid());
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** A start-up failure with a message meant for the person who ran the stack. */
    static final class StackFailure extends RuntimeException {
        StackFailure(String message) {
            super(message, null, false, false);
        }
    }
}
