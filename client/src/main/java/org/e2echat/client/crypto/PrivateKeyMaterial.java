package org.e2echat.client.crypto;

import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * The private half of an identity at one key version: the raw 32-byte Ed25519 seed and X25519
 * scalar. Never leaves the device unencrypted; {@link KeyAtRest} seals it under a passphrase.
 */
public final class PrivateKeyMaterial implements Destroyable {

    static final int PRIVATE_KEY_BYTES = 32;
    private static final String LABEL = "e2echat/private-keys/v1";

    private final String suite;
    private final int keyVersion;
    private final byte[] signingPrivateKey;
    private final byte[] kemPrivateKey;
    private volatile boolean destroyed;

    public PrivateKeyMaterial(String suite, int keyVersion, byte[] signingPrivateKey, byte[] kemPrivateKey) {
        Objects.requireNonNull(suite, "suite");
        if (keyVersion < 0) {
            throw new IllegalArgumentException("keyVersion is a uint32 and never negative");
        }
        PublicIdentity.requireLength(signingPrivateKey, PRIVATE_KEY_BYTES, "signingPrivateKey");
        PublicIdentity.requireLength(kemPrivateKey, PRIVATE_KEY_BYTES, "kemPrivateKey");
        this.suite = suite;
        this.keyVersion = keyVersion;
        this.signingPrivateKey = signingPrivateKey.clone();
        this.kemPrivateKey = kemPrivateKey.clone();
    }

    public String suite() {
        return suite;
    }

    public int keyVersion() {
        return keyVersion;
    }

    /** A copy; the caller should wipe it when done. */
    public byte[] signingPrivateKey() {
        checkAlive();
        return signingPrivateKey.clone();
    }

    /** A copy; the caller should wipe it when done. */
    public byte[] kemPrivateKey() {
        checkAlive();
        return kemPrivateKey.clone();
    }

    /** {@code "e2echat/private-keys/v1" || 0x00 || field(suite) || uint32 keyVersion || field(signing) || field(kem)}. */
    byte[] encode() {
        checkAlive();
        return Canonical.label(LABEL).field(suite).u32(keyVersion).field(signingPrivateKey).field(kemPrivateKey)
                .toByteArray();
    }

    static PrivateKeyMaterial decode(byte[] encoded) throws MalformedDataException {
        Canonical.Reader r = new Canonical.Reader(encoded);
        r.expectLabel(LABEL);
        String suite = r.utf8Field();
        long keyVersion = r.u32();
        byte[] signing = r.field();
        byte[] kem = r.field();
        r.expectEnd();
        if (!IdentityEncoding.SUITE_V1.equals(suite)) {
            throw new MalformedDataException("unsupported suite: " + suite);
        }
        if (keyVersion > Integer.MAX_VALUE || signing.length != PRIVATE_KEY_BYTES || kem.length != PRIVATE_KEY_BYTES) {
            throw new MalformedDataException("private key material has the wrong shape");
        }
        try {
            return new PrivateKeyMaterial(suite, (int) keyVersion, signing, kem);
        } finally {
            Arrays.fill(signing, (byte) 0);
            Arrays.fill(kem, (byte) 0);
        }
    }

    /** Overwrites the key bytes held here (copies handed out earlier are the caller's to wipe). */
    @Override
    public void destroy() {
        Arrays.fill(signingPrivateKey, (byte) 0);
        Arrays.fill(kemPrivateKey, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("private key material was destroyed");
        }
    }

    /** Never shows key bytes: toString ends up in logs and exception messages. */
    @Override
    public String toString() {
        return "PrivateKeyMaterial[suite=" + suite + ", keyVersion=" + keyVersion + ", keys=<redacted>]";
    }
}
