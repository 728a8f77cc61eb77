package org.e2echat.client.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * A user's own identity at one key version: Ed25519 signing key and X25519 KEM key pairs, with the
 * KEM public key signed by the signing key. Key rotation means generating a new one with a higher
 * key version.
 */
public final class Identity {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ed25519PrivateKeyParameters signingKey;
    private final X25519PrivateKeyParameters kemKey;
    private final PublicIdentity publicIdentity;

    private Identity(Ed25519PrivateKeyParameters signingKey, X25519PrivateKeyParameters kemKey, int keyVersion) {
        this.signingKey = signingKey;
        this.kemKey = kemKey;
        byte[] signingPublic = signingKey.generatePublicKey().getEncoded();
        byte[] kemPublic = kemKey.generatePublicKey().getEncoded();
        byte[] signature = Ed25519.sign(signingKey,
                IdentityEncoding.kemKeySignatureInput(IdentityEncoding.SUITE_V1, signingPublic, kemPublic));
        this.publicIdentity = PublicIdentity.of(IdentityEncoding.SUITE_V1, keyVersion, signingPublic, kemPublic, signature);
    }

    /** Fresh keys from the platform's SecureRandom. */
    public static Identity generate(int keyVersion) {
        return generate(keyVersion, RANDOM);
    }

    public static Identity generate(int keyVersion, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        if (keyVersion < 0) {
            throw new IllegalArgumentException("keyVersion is a uint32 and never negative");
        }
        return new Identity(new Ed25519PrivateKeyParameters(random), new X25519PrivateKeyParameters(random), keyVersion);
    }

    /**
     * Rebuilds an identity from its private keys (e.g. after {@link KeyAtRest#open}). Ed25519 is
     * deterministic, so the KEM-key signature comes out byte-identical to the original.
     */
    public static Identity fromPrivateKeys(PrivateKeyMaterial keys) {
        if (!IdentityEncoding.SUITE_V1.equals(keys.suite())) {
            throw new IllegalArgumentException("unsupported suite: " + keys.suite());
        }
        byte[] signing = keys.signingPrivateKey();
        byte[] kem = keys.kemPrivateKey();
        try {
            return new Identity(new Ed25519PrivateKeyParameters(signing, 0), new X25519PrivateKeyParameters(kem, 0),
                    keys.keyVersion());
        } finally {
            Arrays.fill(signing, (byte) 0);
            Arrays.fill(kem, (byte) 0);
        }
    }

    public PublicIdentity publicIdentity() {
        return publicIdentity;
    }

    public int keyVersion() {
        return publicIdentity.keyVersion();
    }

    /** The private keys, for sealing at rest with {@link KeyAtRest}. */
    public PrivateKeyMaterial privateKeys() {
        byte[] signing = signingKey.getEncoded();
        byte[] kem = kemKey.getEncoded();
        try {
            return new PrivateKeyMaterial(publicIdentity.suite(), publicIdentity.keyVersion(), signing, kem);
        } finally {
            Arrays.fill(signing, (byte) 0);
            Arrays.fill(kem, (byte) 0);
        }
    }

    byte[] sign(byte[] message) {
        return Ed25519.sign(signingKey, message);
    }

    byte[] kemPrivateKeyBytes() {
        return kemKey.getEncoded();
    }

    /** Never shows key bytes. */
    @Override
    public String toString() {
        return "Identity[" + publicIdentity + ", private keys=<redacted>]";
    }
}
