package org.e2echat.client.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * The public half of a user's identity at one key version: what user-service stores and what
 * other clients encrypt to and verify against.
 */
public final class PublicIdentity {

    private final String suite;
    private final int keyVersion;
    private final byte[] signingPublicKey;
    private final byte[] kemPublicKey;
    private final byte[] kemKeySignature;

    private PublicIdentity(String suite, int keyVersion, byte[] signingPublicKey, byte[] kemPublicKey,
                           byte[] kemKeySignature) {
        this.suite = suite;
        this.keyVersion = keyVersion;
        this.signingPublicKey = signingPublicKey;
        this.kemPublicKey = kemPublicKey;
        this.kemKeySignature = kemKeySignature;
    }

    /** Raw values; lengths are checked here, the signature only by {@link #verify()}. */
    public static PublicIdentity of(String suite, int keyVersion, byte[] signingPublicKey, byte[] kemPublicKey,
                                    byte[] kemKeySignature) {
        Objects.requireNonNull(suite, "suite");
        if (keyVersion < 0) {
            throw new IllegalArgumentException("keyVersion is a uint32 and never negative");
        }
        requireLength(signingPublicKey, IdentityEncoding.PUBLIC_KEY_BYTES, "signingPublicKey");
        requireLength(kemPublicKey, IdentityEncoding.PUBLIC_KEY_BYTES, "kemPublicKey");
        requireLength(kemKeySignature, IdentityEncoding.SIGNATURE_BYTES, "kemKeySignature");
        return new PublicIdentity(suite, keyVersion, signingPublicKey.clone(), kemPublicKey.clone(),
                kemKeySignature.clone());
    }

    /** Parses the base64 (standard alphabet, padded) form APIs carry; bad input is malformed data, not a bug. */
    public static PublicIdentity fromBase64(String suite, int keyVersion, String signingPublicKey,
                                            String kemPublicKey, String kemKeySignature)
            throws MalformedDataException {
        try {
            return of(suite, keyVersion, decode(signingPublicKey), decode(kemPublicKey), decode(kemKeySignature));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedDataException("malformed public identity: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the suite is one this client speaks and that the signing key vouches for the KEM key.
     * Call before trusting a KEM key fetched from a server.
     */
    public PublicIdentity verify() throws CryptoException {
        if (!IdentityEncoding.SUITE_V1.equals(suite)) {
            throw new MalformedDataException("unsupported suite: " + suite);
        }
        byte[] input = IdentityEncoding.kemKeySignatureInput(suite, signingPublicKey, kemPublicKey);
        if (!Ed25519.verify(signingPublicKey, input, kemKeySignature)) {
            throw new InvalidSignatureException("the KEM key is not signed by the identity's signing key");
        }
        return this;
    }

    /** SHA-256 over the canonical identity encoding (IdentityEncoding.fingerprint), 32 bytes. */
    public byte[] fingerprint() {
        return IdentityEncoding.fingerprint(suite, signingPublicKey, kemPublicKey);
    }

    public String fingerprintHex() {
        return IdentityEncoding.hex(fingerprint());
    }

    /** Six groups of five digits, for one person to read out. */
    public String fingerprintDigits() {
        return IdentityEncoding.fingerprintDigits(fingerprint());
    }

    /** Twelve groups of five digits; the same whichever side computes it. */
    public String safetyNumber(PublicIdentity other) {
        return IdentityEncoding.safetyNumber(fingerprint(), other.fingerprint());
    }

    public String suite() {
        return suite;
    }

    public int keyVersion() {
        return keyVersion;
    }

    public byte[] signingPublicKey() {
        return signingPublicKey.clone();
    }

    public byte[] kemPublicKey() {
        return kemPublicKey.clone();
    }

    public byte[] kemKeySignature() {
        return kemKeySignature.clone();
    }

    public String signingPublicKeyBase64() {
        return Base64.getEncoder().encodeToString(signingPublicKey);
    }

    public String kemPublicKeyBase64() {
        return Base64.getEncoder().encodeToString(kemPublicKey);
    }

    public String kemKeySignatureBase64() {
        return Base64.getEncoder().encodeToString(kemKeySignature);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PublicIdentity)) {
            return false;
        }
        PublicIdentity that = (PublicIdentity) o;
        return keyVersion == that.keyVersion && suite.equals(that.suite)
                && Arrays.equals(signingPublicKey, that.signingPublicKey)
                && Arrays.equals(kemPublicKey, that.kemPublicKey)
                && Arrays.equals(kemKeySignature, that.kemKeySignature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(suite, keyVersion, Arrays.hashCode(signingPublicKey), Arrays.hashCode(kemPublicKey));
    }

    @Override
    public String toString() {
        return "PublicIdentity[suite=" + suite + ", keyVersion=" + keyVersion + ", fingerprint=" + fingerprintHex() + "]";
    }

    static byte[] decode(String base64) {
        return Base64.getDecoder().decode(Objects.requireNonNull(base64, "base64 value"));
    }

    static void requireLength(byte[] value, int length, String name) {
        Objects.requireNonNull(value, name);
        if (value.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " + value.length);
        }
    }
}
