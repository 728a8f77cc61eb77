package org.e2echat.infra.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.InfraMain;
import org.e2echat.infra.stack.StackProcess.State;
import org.e2echat.infra.stack.Supervisor.Backoff;
import org.e2echat.infra.stack.Supervisor.Started;
import org.e2echat.infra.stack.Supervisor.Supervised;

/**
 * The whole system on one machine: the infrastructure process (MongoDB-wire server and Kafka
 * broker) and N replicas of each of the four packaged services, each a process of its own, kept
 * running by a {@link Supervisor} and reached through a {@link TcpBalancer} on the service's
 * published port. {@code deploy/local/run.sh} runs {@link #main}; tests drive the same thing
 * in-process through {@link #start}.
 *
 * <p>The contract for tests:
 * <ul>
 *   <li>{@link #start} returns once every process is ready (readiness: the infra process's
 *       {@code READY} line, each replica's {@code /q/health/ready}), or throws
 *       {@link StackFailure} with the reason and the failing log's tail, having stopped whatever
 *       it had started.
 *   <li>Clients and services use the published ports ({@link #url}); each connection goes to
 *       one live replica, round-robin. Services reach each other the same way. Every
 *       user-service replica signs with the same key, so a token verifies wherever it goes.
 *   <li>{@link #kill} is SIGKILL; the supervisor restarts the process on the same port with the
 *       same configuration (the infra process on the same ports and data directory; in memory its
 *       data is gone) after a backoff of 1 s doubling to 30 s. {@link #awaitAllUp} waits for that.
 *   <li>{@link #suspend} and {@link #resume} are SIGSTOP and SIGCONT: a hung, not a dead, process.
 *   <li>{@link #close} stops everything (services first, SIGTERM then SIGKILL after 20 s, then the
 *       balancers, then infra) and releases every port.
 * </ul>
 */
public final class LocalStack implements AutoCloseable {

    /** Printed once everything is ready; tests and scripts wait for it. */
    public static final String READY_BANNER = "Local stack is ready";

    private static final String INFRA = "infra";
    private static final String TOKEN_ISSUER = "user-service";
    private static final Duration INFRA_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(180);

    private final StackOptions options;
    private final PrintStream out;
    private final Supervisor supervisor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<ServiceSpec, TcpBalancer> balancers = new ConcurrentHashMap<>();
    private final Map<ServiceSpec, List<Replica>> replicas = new ConcurrentHashMap<>();
    private final Set<String> suspended = ConcurrentHashMap.newKeySet();
    private volatile Supervised infra;
    private volatile int mongoPort;
    private volatile int kafkaPort;

    /** One process of a service: its own port and log, and what keeps it running. */
    private record Replica(int number, int port, Supervised supervised) {
    }

    LocalStack(StackOptions options, PrintStream out, Backoff backoff) {
        this.options = options;
        this.out = out;
        this.supervisor = new Supervisor(backoff, out);
        this.mongoPort = options.mongoPort();
        this.kafkaPort = options.kafkaPort();
    }

    /**
     * Starts everything and returns once it is all ready; on failure stops what it started and
     * throws {@link StackFailure}. The services come from {@code <service>/target/quarkus-app}
     * under {@link StackOptions#root()} (package them first); progress goes to {@code out}.
     */
    public static LocalStack start(StackOptions options, PrintStream out) {
        LocalStack stack = new LocalStack(options, out, Backoff.DEFAULT);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    public static void main(String[] args) throws InterruptedException {
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
        LocalStack stack = new LocalStack(options, System.out, Backoff.DEFAULT);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-stop"));
        try {
            stack.startAll();
        } catch (StackFailure e) {
            if (!stack.closed.get()) {
                System.out.println("[stack] failed: " + e.getMessage());
            }
            System.exit(1);
            return;
        }
        if (options.infraOnly()) {
            stack.printInfraOnly();
        } else {
            stack.printReady();
        }
        // the stack runs until Ctrl-C or SIGTERM; crashed processes are restarted meanwhile
        stack.stopped.await();
    }

    void startAll() {
        try {
            Files.createDirectories(options.logDir());
        } catch (IOException e) {
            throw new StackFailure("cannot create the log directory " + options.logDir() + ": " + e.getMessage());
        }
        CompletableFuture<String> signingKey = null;
        if (!options.infraOnly()) {
            checkPackaged();
            bindBalancers();
            String given = options.tuning().signingJwk();
            signingKey = given != null ? CompletableFuture.completedFuture(given)
                    : CompletableFuture.supplyAsync(() -> newSigningJwk(options.root()));
        }
        startInfra();
        if (!options.infraOnly()) {
            startServices(awaitSigningKey(signingKey));
        }
    }

    /**
     * One ES256 key for every user-service replica and every restart, from the operators'
     * generator: without it each replica would sign with a key of its own, and the JWKS behind
     * the one published port (which the other services verify against) would alternate between
     * them, so tokens would fail at random and all of them after a restart.
     */
    private static String newSigningJwk(Path root) {
        Path generator = root.resolve("deploy/k8s/NewSigningKey.java");
        try {
            Process process = new ProcessBuilder(ServiceProcess.javaBinary(), generator.toString())
                    .redirectErrorStream(true).start();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() != 0 || !printed.startsWith("{\"kty\":\"EC\"")) {
                throw new StackFailure("the signing key generator " + generator + " failed: " + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new StackFailure("cannot run the signing key generator " + generator + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure("interrupted while generating the signing key");
        }
    }

    private static String awaitSigningKey(CompletableFuture<String> signingKey) {
        try {
            return signingKey.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure("interrupted while generating the signing key");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StackFailure failure ? failure : new StackFailure(e.getCause().toString());
        }
    }

    private void checkPackaged() {
        for (ServiceSpec spec : ServiceSpec.ALL) {
            Path jar = ServiceProcess.jar(options.root(), spec);
            if (!Files.isRegularFile(jar)) {
                throw new StackFailure(jar + " is missing: package " + spec.name()
                        + " first (deploy/local/run.sh builds when needed)");
            }
        }
    }

    /** Published ports first, so that a port in use fails the start before anything runs. */
    private void bindBalancers() {
        for (ServiceSpec spec : ServiceSpec.ALL) {
            int port = options.portOf(spec);
            synchronized (this) {
                ensureOpen();
                try {
                    balancers.put(spec, TcpBalancer.start(spec.name(), port, () -> backends(spec)));
                } catch (BindException e) {
                    throw new StackFailure("port " + port + " for " + spec.name() + " is in use; pass "
                            + spec.portOption() + " N");
                } catch (IOException e) {
                    throw new StackFailure("cannot listen on port " + port + " for " + spec.name() + ": "
                            + e.getMessage());
                }
            }
        }
    }

    /** The replicas a new connection may go to: the ready ones, or all while none is ready. */
    private List<Integer> backends(ServiceSpec spec) {
        List<Replica> all = replicas.getOrDefault(spec, List.of());
        List<Integer> up = all.stream().filter(r -> r.supervised().state() == State.UP).map(Replica::port)
                .collect(Collectors.toList());
        return up.isEmpty() ? all.stream().map(Replica::port).collect(Collectors.toList()) : up;
    }

    private void startInfra() {
        boolean inMemory = options.dataDir() == null;
        out.printf("[stack] starting MongoDB-wire server (%s) and Kafka broker ...%n",
                inMemory ? "in memory" : "file-backed in " + options.dataDir());
        Path log = options.logDir().resolve(INFRA + ".log");
        long started = System.nanoTime();
        String[] readyLine = new String[1];
        Supervised supervised;
        synchronized (this) {
            ensureOpen();
            supervised = supervisor.supervise(INFRA, log,
                    inMemory ? "; it kept everything in memory, so all MongoDB data and Kafka records are gone" : "",
                    () -> {
                        InfraProcess process = InfraProcess.start(mongoPort, kafkaPort, options.dataDir(), log,
                                options.tuning().infraHeap());
                        return new Started(process.process(), cancelled -> {
                            process.awaitReady(INFRA_TIMEOUT, cancelled);
                            // restarts reuse the ports, so the services' configuration stays right
                            mongoPort = process.mongoPort();
                            kafkaPort = process.kafkaPort();
                            readyLine[0] = "mongodb=" + process.mongoUrl() + " kafka="
                                    + process.kafkaBootstrapServers() + " storage=" + process.storage();
                        });
                    });
            infra = supervised;
        }
        awaitFirstStart(supervised.firstStart(), "the infrastructure did not start");
        out.printf("[stack] infra ready in %.1f s: %s%n", seconds(started), readyLine[0]);
    }

    private void startServices(String signingJwk) {
        long launched = System.nanoTime();
        for (ServiceSpec spec : ServiceSpec.ALL) {
            Map<String, String> env = serviceEnvironment();
            if (spec.name().equals(TOKEN_ISSUER)) {
                env.put("JWT_SIGNING_JWK", signingJwk);
            }
            for (int n = 1; n <= options.replicas(); n++) {
                int port = FreePorts.find();
                String name = replicaName(spec, n);
                Path log = options.logDir().resolve(name + ".log");
                out.printf("[stack] starting %-18s on port %d (log: %s)%n", name, port, log);
                AtomicBoolean firstRun = new AtomicBoolean(true);
                synchronized (this) {
                    ensureOpen();
                    Supervised supervised = supervisor.supervise(name, log, "", () -> {
                        ServiceProcess process = ServiceProcess.start(options.root(), spec, port, env, log,
                                !firstRun.getAndSet(false), options.tuning().serviceJvmArgs());
                        return new Started(process.process(),
                                cancelled -> process.awaitReady(SERVICE_TIMEOUT, cancelled));
                    });
                    // registered while still holding the lock, so that close() cannot miss it
                    Replica replica = new Replica(n, port, supervised);
                    replicas.merge(spec, List.of(replica), (known, added) -> {
                        List<Replica> all = new ArrayList<>(known);
                        all.addAll(added);
                        return List.copyOf(all);
                    });
                }
            }
        }
        for (ServiceSpec spec : ServiceSpec.ALL) {
            for (Replica replica : replicas.get(spec)) {
                awaitFirstStart(replica.supervised().firstStart(), replica.supervised().name() + " did not start");
                out.printf("[stack] %-18s ready in %.1f s%n", replica.supervised().name(), seconds(launched));
            }
        }
    }

    private String replicaName(ServiceSpec spec, int number) {
        return options.replicas() == 1 ? spec.name() : spec.name() + "-" + number;
    }

    private void awaitFirstStart(CompletableFuture<Void> firstStart, String what) {
        try {
            firstStart.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackFailure(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new StackFailure(closed.get() ? "stopped" : e.getCause().getMessage());
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new StackFailure("stopped");
        }
    }

    /**
     * Every client of a local stack is on 127.0.0.1: tests, benchmarks and a developer create many
     * accounts and log in many times from that one address, which the per-address limits (meant for
     * strangers on the internet) would stop. The per-user limits stay as configured.
     */
    public static final Map<String, String> ONE_ADDRESS_FOR_ALL_CLIENTS = Map.of(
            "E2ECHAT_USERS_REGISTRATION_MAX_PER_ADDRESS", "1000000",
            "E2ECHAT_USERS_LOGIN_MAX_ATTEMPTS_PER_ADDRESS", "1000000");

    /** What every service is told about the infrastructure and about the other services. */
    Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URL", mongoUrl());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        for (ServiceSpec spec : ServiceSpec.ALL) {
            env.put(spec.envPrefix() + "_URL", "http://127.0.0.1:" + publishedPort(spec));
        }
        // the web client is served by the gateway: its origins may call the services and open sockets,
        // and it reaches the services at their published ports
        for (ServiceSpec spec : ServiceSpec.ALL) {
            if (spec.websocket()) {
                int gateway = publishedPort(spec);
                env.put("E2ECHAT_WEB_ORIGINS", "http://localhost:" + gateway + ",http://127.0.0.1:" + gateway);
            } else {
                env.put("E2ECHAT_WEB_" + spec.envPrefix() + "_URL", "http://127.0.0.1:" + publishedPort(spec));
            }
        }
        if (options.jsonLogs()) {
            env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        }
        env.putAll(ONE_ADDRESS_FOR_ALL_CLIENTS);
        return env;
    }

    public StackOptions options() {
        return options;
    }

    /** The MongoDB connection string the services use. */
    public String mongoUrl() {
        return "mongodb://127.0.0.1:" + mongoPort;
    }

    /** The Kafka {@code bootstrap.servers} the services use. */
    public String kafkaBootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** The port clients use for {@code spec}: the balancer in front of its replicas. */
    public int publishedPort(ServiceSpec spec) {
        TcpBalancer balancer = balancers.get(spec);
        if (balancer == null) {
            throw new IllegalStateException(spec.name() + " is not published (infra only, or not started)");
        }
        return balancer.port();
    }

    /** {@code http://127.0.0.1:<published port>}; the gateway's WebSocket is {@code ws://} on the same port. */
    public URI url(ServiceSpec spec) {
        return URI.create("http://127.0.0.1:" + publishedPort(spec));
    }

    /** Every process, infra first, then each service's replicas in order. */
    public List<StackProcess> processes() {
        List<StackProcess> all = new ArrayList<>();
        Supervised infraNow = infra;
        if (infraNow != null) {
            all.add(snapshot(infraNow, null, 0, mongoPort));
        }
        for (ServiceSpec spec : ServiceSpec.ALL) {
            all.addAll(replicas(spec));
        }
        return all;
    }

    /** {@code spec}'s replicas, in order (replica 1 first). */
    public List<StackProcess> replicas(ServiceSpec spec) {
        return replicas.getOrDefault(spec, List.of()).stream()
                .map(r -> snapshot(r.supervised(), spec, r.number(), r.port()))
                .collect(Collectors.toList());
    }

    private static StackProcess snapshot(Supervised supervised, ServiceSpec spec, int number, int port) {
        Process process = supervised.process();
        return new StackProcess(supervised.name(), spec, number, process == null ? -1 : process.pid(), port,
                supervised.log(), supervised.state(), supervised.restarts());
    }

    /**
     * SIGKILL for the process called {@code name} ({@link StackProcess#name()}, e.g. {@code infra}
     * or {@code gateway-2}); returns once the supervisor has seen it die, after which it restarts
     * it (see {@link #awaitAllUp}).
     */
    public void kill(String name) throws InterruptedException {
        suspended.remove(name);
        supervised(name).kill();
    }

    /**
     * Takes the Kafka broker down while the MongoDB-wire server keeps running (the infra process
     * is told on its standard input); returns once the broker's port refuses connections.
     */
    public void stopBroker(Duration timeout) throws InterruptedException {
        commandInfra(InfraMain.COMMAND_KAFKA_STOP);
        awaitKafkaPort(false, timeout);
    }

    /** Brings the broker back after {@link #stopBroker}; returns once its port accepts connections. */
    public void startBroker(Duration timeout) throws InterruptedException {
        commandInfra(InfraMain.COMMAND_KAFKA_START);
        awaitKafkaPort(true, timeout);
    }

    private void commandInfra(String command) {
        Supervised infraNow = infra;
        Process process = infraNow == null ? null : infraNow.process();
        if (process == null) {
            throw new IllegalStateException("the infra process is not running");
        }
        try {
            var in = process.getOutputStream();
            in.write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the infra process", e);
        }
    }

    private void awaitKafkaPort(boolean open, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (accepts(kafkaPort) != open) {
            if (System.nanoTime() > deadline) {
                throw new StackFailure("the broker did not " + (open ? "start" : "stop") + " within "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** Whether something accepts connections on the port (probing by connecting, never by binding it). */
    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGSTOP: the process stays alive but answers nothing, like a hung JVM or a network partition. */
    public void suspend(String name) {
        signal(name, "STOP");
        suspended.add(name);
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume(String name) {
        signal(name, "CONT");
        suspended.remove(name);
    }

    private void signal(String name, String signal) {
        Process process = supervised(name).process();
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            int code = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed with " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** Waits until every process is up (ready) again; throws {@link StackFailure} naming those that are not. */
    public void awaitAllUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Supervised supervised : allSupervised()) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!supervised.awaitUp(left)) {
                throw new StackFailure("not up after " + timeout.toSeconds() + " s: " + processes().stream()
                        .filter(p -> p.state() != State.UP).map(p -> p.name() + " (" + p.state() + ")")
                        .collect(Collectors.joining(", ")));
            }
        }
    }

    private Supervised supervised(String name) {
        return allSupervised().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no process called " + name + "; there are "
                        + processes().stream().map(StackProcess::name).collect(Collectors.toList())));
    }

    private List<Supervised> allSupervised() {
        List<Supervised> all = new ArrayList<>();
        Supervised infraNow = infra;
        if (infraNow != null) {
            all.add(infraNow);
        }
        for (ServiceSpec spec : ServiceSpec.ALL) {
            replicas.getOrDefault(spec, List.of()).forEach(r -> all.add(r.supervised()));
        }
        return all;
    }

    /** Services first (gracefully, then forcibly), then the balancers, then the infrastructure. Idempotent. */
    @Override
    public void close() {
        List<Supervised> services;
        Supervised infraNow;
        synchronized (this) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            infraNow = infra;
            services = allSupervised();
            services.remove(infraNow);
        }
        try {
            if (infraNow == null && balancers.isEmpty()) {
                return;
            }
            out.println("[stack] stopping ...");
            for (String name : suspended) {
                try {
                    resume(name); // a stopped process cannot act on SIGTERM
                } catch (RuntimeException e) {
                    // gone already; SIGKILL after the grace period covers the rest
                }
            }
            services.forEach(Supervised::requestStop);
            services.forEach(Supervised::awaitStopped);
            // after the services, so that their goodbyes (WebSocket close 1001) still reach clients
            balancers.values().forEach(TcpBalancer::close);
            if (infraNow != null) {
                infraNow.requestStop();
                infraNow.awaitStopped();
            }
            out.println("[stack] stopped");
            out.flush();
        } finally {
            stopped.countDown();
        }
    }

    private void printReady() {
        StringBuilder b = new StringBuilder();
        b.append('\n').append(READY_BANNER).append(" (infra: MongoDB ").append(mongoPort)
                .append(", Kafka ").append(kafkaPort).append("; ").append(options.replicas())
                .append(options.replicas() == 1 ? " replica" : " replicas")
                .append(" per service, restarted when they exit)\n\n");
        b.append(String.format("  %-16s %-28s %-40s %s%n", "service", "REST", "Swagger UI", "replica ports"));
        for (ServiceSpec spec : ServiceSpec.ALL) {
            String base = "http://localhost:" + publishedPort(spec);
            String own = replicas(spec).stream().map(p -> String.valueOf(p.port())).collect(Collectors.joining(" "));
            b.append(String.format("  %-16s %-28s %-40s %s%n", spec.name(), base, base + "/q/swagger-ui", own));
        }
        int gatewayPort = publishedPort(ServiceSpec.ALL.get(3));
        b.append("\n  Web client       http://localhost:").append(gatewayPort).append("/ (open it in a browser)\n");
        b.append("  WebSocket        ws://localhost:").append(gatewayPort).append("/ws (subprotocol chat.v1)\n");
        b.append("  Health           http://localhost:<port>/q/health   Metrics  http://localhost:<port>/q/metrics\n");
        b.append("  Logs             ").append(options.logDir()).append('\n');
        b.append("\nTry next:\n");
        b.append("  curl -s http://localhost:").append(publishedPort(ServiceSpec.ALL.get(0)))
                .append("/q/health | head -c 400; echo\n");
        b.append("  curl -s http://localhost:").append(publishedPort(ServiceSpec.ALL.get(0)))
                .append("/.well-known/jwks.json; echo\n");
        b.append("  open the Swagger UI of any service above and try its endpoints (docs/api.md)\n");
        b.append("\nPress Ctrl-C to stop everything.\n");
        out.print(b);
        out.flush();
    }

    private void printInfraOnly() {
        out.printf("%n%s (infra only)%n%n", READY_BANNER);
        out.printf("  MONGODB_URL=%s%n", mongoUrl());
        out.printf("  KAFKA_BOOTSTRAP_SERVERS=%s%n%n", kafkaBootstrapServers());
        out.println("Run one service in dev mode against it, for example:");
        out.println("  deploy/local/mvn39 -pl user-service -am quarkus:dev");
        out.println("(with non-default ports, export the two variables above first)");
        out.println("\nPress Ctrl-C to stop.");
        out.flush();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** A start-up failure with a message meant for the person (or test) that started the stack. */
    public static final class StackFailure extends RuntimeException {
        StackFailure(String message) {
            super(message, null, false, false);
        }
    }
}
