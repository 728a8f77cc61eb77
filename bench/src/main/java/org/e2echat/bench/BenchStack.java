package org.e2echat.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.e2echat.infra.stack.LocalStack;
import org.e2echat.infra.stack.ServiceSpec;
import org.e2echat.infra.stack.StackOptions;
import org.e2echat.infra.stack.StackProcess;
import org.e2echat.testsupport.TestJwt;
import org.e2echat.testsupport.TokenForge;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * The packaged local stack as the bench runs it (one replica of each service, every port free),
 * with a signing key of the bench's own given to user-service: the services accept the tokens the
 * bench mints with it, so thousands of connections need no thousands of logins. The bench talks
 * to each service's own process port, not through the stack's balancer, so that only the service
 * is measured.
 */
public final class BenchStack implements AutoCloseable {

    /**
     * The store and broker's heap: the in-memory store keeps every message in it, and the e2e
     * history steps fill it to 100,000 messages (about 6 KB each with their indexes; the default
     * 512 MB ran out at ~77,000).
     */
    static final String INFRA_HEAP = "3g";

    private final LocalStack stack;
    private final TokenForge forge;

    private BenchStack(LocalStack stack, TokenForge forge) {
        this.stack = stack;
        this.forge = forge;
    }

    /**
     * Starts the stack under {@code root}; with {@code dataDir} the store is file-backed there,
     * with {@code jfrDir} every service records a JFR profile into it (written when it stops).
     */
    public static BenchStack start(Path root, Path logDir, Path dataDir, Path jfrDir, PrintStream out) {
        EllipticCurveJsonWebKey key;
        try {
            key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId(key.calculateBase64urlEncodedThumbprint("SHA-256"));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
        List<String> jvm = new ArrayList<>();
        if (jfrDir != null) {
            jvm.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfrDir.toAbsolutePath());
        }
        StackOptions options = StackOptions.defaults(root).withFreePorts().withLogDir(logDir).withDataDir(dataDir)
                .withTuning(new StackOptions.Tuning(key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE), jvm,
                        INFRA_HEAP));
        LocalStack stack = LocalStack.start(options, out);
        return new BenchStack(stack, new TokenForge(key.getPrivateKey(), key.getPublicKey(), key.getKeyId(),
                TestJwt.ISSUER, TestJwt.AUDIENCE));
    }

    /** A token for the user, valid for {@code lifetime} (longer than a run, so no socket closes on expiry). */
    public String token(String userId, String username, Duration lifetime) {
        return forge.with(userId, username,
                c -> c.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() + lifetime.toSeconds())));
    }

    /** The process of the (only) replica of {@code service}. */
    public StackProcess process(String service) {
        return stack.replicas(spec(service)).get(0);
    }

    /** The port of the service's own process (bypassing the balancer). */
    public int port(String service) {
        return process(service).port();
    }

    public long pid(String service) {
        return process(service).pid();
    }

    /** Every process of the stack by name: infra and the four services. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (StackProcess p : stack.processes()) {
            pids.put(p.name(), p.pid());
        }
        return pids;
    }

    public String kafkaBootstrapServers() {
        return stack.kafkaBootstrapServers();
    }

    public String mongoUrl() {
        return stack.mongoUrl();
    }

    private static ServiceSpec spec(String service) {
        return ServiceSpec.ALL.stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        stack.close();
    }
}
