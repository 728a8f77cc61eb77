package org.e2echat.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.e2echat.infra.stack.ServiceProcess;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * The test signing key for services that verify user-service's tokens: one ES256 key per JVM,
 * published as a JWKS file that the service under test is pointed at (use this class as a
 * Quarkus test resource), and a {@link TokenForge} that mints valid and hostile tokens with it.
 */
public final class TestJwt implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "urn:e2echat:user-service";
    public static final String AUDIENCE = "e2echat";

    private static EllipticCurveJsonWebKey key;
    private static Path jwksFile;

    /**
     * A new private signing JWK printed by the operators' generator {@code deploy/k8s/NewSigningKey.java}
     * under {@code projectRoot}, run the way operators run it.
     */
    public static String operatorSigningJwk(Path projectRoot) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ServiceProcess.javaBinary(),
                projectRoot.resolve("deploy/k8s/NewSigningKey.java").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("NewSigningKey.java failed: " + out);
        }
        return out;
    }

    /** Mints tokens signed with the test key. */
    public static TokenForge forge() {
        EllipticCurveJsonWebKey k = key();
        return new TokenForge(k.getPrivateKey(), k.getPublicKey(), k.getKeyId(), ISSUER, AUDIENCE);
    }

    /** Where the test JWKS lives. */
    public static synchronized Path jwksFile() {
        if (jwksFile == null) {
            try {
                Path file = Files.createTempFile("e2echat-test-jwks-", ".json");
                file.toFile().deleteOnExit();
                Files.writeString(file, new JsonWebKeySet(key()).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
                jwksFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jwksFile;
    }

    private static synchronized EllipticCurveJsonWebKey key() {
        if (key == null) {
            try {
                EllipticCurveJsonWebKey k = EcJwkGenerator.generateJwk(EllipticCurves.P256);
                k.setKeyId(k.calculateBase64urlEncodedThumbprint("SHA-256"));
                k.setAlgorithm("ES256");
                k.setUse("sig");
                key = k;
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }
        return key;
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "mp.jwt.verify.publickey.location", jwksFile().toUri().toString(),
                "mp.jwt.verify.publickey.algorithm", "ES256",
                "mp.jwt.verify.issuer", ISSUER,
                "mp.jwt.verify.audiences", AUDIENCE);
    }

    @Override
    public void stop() {
        // the key lives as long as the JVM
    }
}
