package org.e2echat.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.LocalInfra;
import org.e2echat.infra.stack.ServiceProcess;
import org.e2echat.infra.stack.ServiceSpec;

/**
 * Runs real peer services (their packaged jars, as separate processes) for a service's tests, on
 * the shared embedded infrastructure and trusting the shared test token key. Declare it with
 * {@code initArgs = @ResourceArg(name = "services", value = "session-service")}; the service under
 * test gets {@code e2echat.<name>.url} for each. Peers start once per test JVM and stop at its
 * exit. The module must depend on the peers (type pom, scope test) so they are packaged first.
 */
public class PeerServicesResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<String, ServiceProcess> RUNNING = new ConcurrentHashMap<>();

    private List<String> names = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        names = List.of(initArgs.getOrDefault("services", "").split(",")).stream()
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>();
        for (String name : names) {
            ServiceProcess peer = RUNNING.computeIfAbsent(name, PeerServicesResource::launch);
            config.put("e2echat." + name + ".url", "http://127.0.0.1:" + peer.port());
        }
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; stopped at exit
    }

    private static ServiceProcess launch(String name) {
        ServiceSpec spec = ServiceSpec.ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service named " + name));
        LocalInfra infra = LocalInfra.shared();
        Path root = repositoryRoot();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MONGODB_URL", infra.mongo().connectionString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        env.put("QUARKUS_MONGODB_DATABASE", name.replace("-service", "") + "-peer-test");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestJwt.jwksFile().toUri().toString());
        env.put("E2ECHAT_OUTBOX_SWEEP_INTERVAL", "300ms");
        RUNNING.forEach((other, process) ->
                env.put(other.toUpperCase().replace('-', '_') + "_URL", "http://127.0.0.1:" + process.port()));
        Path log = Path.of("target", "peer-" + name + ".log").toAbsolutePath();
        try {
            ServiceProcess process = ServiceProcess.start(root, spec, FreePorts.find(), env, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::close, "stop-" + name));
            process.awaitReady(Duration.ofSeconds(120), () -> false);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("deploy/local/run.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
