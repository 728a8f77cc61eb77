package org.e2echat.user.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.e2echat.user.config.UserServiceConfig;
import org.jboss.logging.Logger;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * The ES256 keys access tokens are signed with: the current one (first) and retired ones kept for
 * the overlap, all published in the JWKS. The current key comes from configuration (a file mounted
 * from a Secret, or the value itself) or, in dev and tests, is generated at start. {@code kid} is the RFC 7638 thumbprint.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private final int retained;
    private volatile List<EllipticCurveJsonWebKey> keys;

    public SigningKeys(UserServiceConfig config) {
        this.retained = Math.max(1, config.jwt().retainedKeys());
        List<EllipticCurveJsonWebKey> loaded = new ArrayList<>();
        Optional<String> configured = configuredSigningJwk(config.jwt());
        if (configured.isPresent()) {
            loaded.add(parse(configured.get(), true));
        } else {
            LOG.warn("no e2echat.users.jwt.signing-jwk(-file) configured: generated an ephemeral signing key; "
                    + "tokens will not survive a restart (fine for dev and tests, not for production)");
            loaded.add(generate());
        }
        config.jwt().previousPublicJwks().ifPresent(jwks -> loaded.addAll(parseSet(jwks)));
        this.keys = List.copyOf(loaded);
        LOG.infof("signing keys loaded: current kid=%s, %d published", current().getKeyId(), keys.size());
    }

    /** The configured private JWK, from the key file (a mounted Secret) or the value itself; never both. */
    private static Optional<String> configuredSigningJwk(UserServiceConfig.Jwt jwt) {
        if (jwt.signingJwkFile().isEmpty()) {
            return jwt.signingJwk();
        }
        if (jwt.signingJwk().isPresent()) {
            throw new IllegalArgumentException(
                    "configure e2echat.users.jwt.signing-jwk or e2echat.users.jwt.signing-jwk-file, not both");
        }
        Path file = jwt.signingJwkFile().get();
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key file " + file, e);
        }
    }

    /** The key new tokens are signed with. */
    public EllipticCurveJsonWebKey current() {
        return keys.get(0);
    }

    /** The public key for {@code kid}, or null when it is not one of ours. */
    public PublicKey verificationKey(String kid) {
        if (kid == null) {
            return null;
        }
        for (EllipticCurveJsonWebKey k : keys) {
            if (kid.equals(k.getKeyId())) {
                return k.getPublicKey();
            }
        }
        return null;
    }

    /** Starts signing with a fresh key; the previous ones stay published until pushed out. */
    public synchronized EllipticCurveJsonWebKey rotate() {
        List<EllipticCurveJsonWebKey> next = new ArrayList<>();
        next.add(generate());
        next.addAll(keys);
        keys = List.copyOf(next.subList(0, Math.min(retained, next.size())));
        LOG.infof("signing key rotated: current kid=%s", current().getKeyId());
        return current();
    }

    /** The JWKS document: public parts only. */
    public Map<String, Object> jwks() {
        List<Map<String, Object>> published = new ArrayList<>();
        for (EllipticCurveJsonWebKey k : keys) {
            Map<String, Object> jwk = new LinkedHashMap<>(k.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            published.add(jwk);
        }
        return Map.of("keys", published);
    }

    private static EllipticCurveJsonWebKey generate() {
        try {
            EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            return withMetadata(jwk);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate an ES256 key", e);
        }
    }

    private static EllipticCurveJsonWebKey parse(String json, boolean needsPrivate) {
        try {
            JsonWebKey jwk = JsonWebKey.Factory.newJwk(json);
            if (!(jwk instanceof EllipticCurveJsonWebKey ec) || !EllipticCurves.P_256.equals(ec.getCurveName())) {
                throw new IllegalArgumentException("signing keys must be EC P-256 JWKs");
            }
            if (needsPrivate && ec.getPrivateKey() == null) {
                throw new IllegalArgumentException("e2echat.users.jwt.signing-jwk has no private part");
            }
            return withMetadata(ec);
        } catch (JoseException e) {
            throw new IllegalArgumentException("a configured signing key is not a valid JWK", e);
        }
    }

    private static List<EllipticCurveJsonWebKey> parseSet(String json) {
        try {
            List<EllipticCurveJsonWebKey> keys = new ArrayList<>();
            for (JsonWebKey jwk : new JsonWebKeySet(json).getJsonWebKeys()) {
                keys.add(parse(jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY), false));
            }
            return keys;
        } catch (JoseException e) {
            throw new IllegalArgumentException("e2echat.users.jwt.previous-public-jwks is not a valid JWKS", e);
        }
    }

    private static EllipticCurveJsonWebKey withMetadata(EllipticCurveJsonWebKey jwk) throws JoseException {
        jwk.setKeyId(jwk.calculateBase64urlEncodedThumbprint("SHA-256"));
        jwk.setUse("sig");
        jwk.setAlgorithm("ES256");
        return jwk;
    }
}
