package org.e2echat.contracts.identity;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The canonical byte encodings of a public identity (an Ed25519 signing key and an X25519 KEM key
 * under a suite), shared by clients and servers so both compute the same bytes. Documented in
 * {@code docs/crypto.md}.
 *
 * <pre>
 * field(x)            = uint16 big-endian length of x || x
 * kem-key signature   = Ed25519(signingPrivate, "e2echat/kem-key/v1" || 0x00 || field(suite) || field(signingPublic) || field(kemPublic))
 * fingerprint         = SHA-256("e2echat/fingerprint/v1" || 0x00 || field(suite) || field(signingPublic) || field(kemPublic))
 * fingerprint digits  = for the first 30 bytes of the fingerprint, each 5-byte big-endian block mod 100000, as 5 digits: 6 groups
 * safety number(A, B) = the two users' fingerprint digits, sorted as strings, concatenated: 12 groups of 5 digits
 * </pre>
 */
public final class IdentityEncoding {

    /** The only identity suite so far: Ed25519 signatures, X25519 KEM (HPKE), AES-256-GCM. */
    public static final String SUITE_V1 = "X25519-Ed25519-AES256GCM-v1";
    /** Raw Ed25519 and X25519 public keys are 32 bytes. */
    public static final int PUBLIC_KEY_BYTES = 32;
    /** Ed25519 signatures are 64 bytes. */
    public static final int SIGNATURE_BYTES = 64;

    private static final String KEM_KEY_LABEL = "e2echat/kem-key/v1";
    private static final String FINGERPRINT_LABEL = "e2echat/fingerprint/v1";

    private IdentityEncoding() {
    }

    /** The bytes the signing key signs to vouch for the KEM key. */
    public static byte[] kemKeySignatureInput(String suite, byte[] signingPublicKey, byte[] kemPublicKey) {
        return labelled(KEM_KEY_LABEL, suite, signingPublicKey, kemPublicKey);
    }

    /** SHA-256 over the canonical encoding of the identity: 32 bytes. */
    public static byte[] fingerprint(String suite, byte[] signingPublicKey, byte[] kemPublicKey) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(labelled(FINGERPRINT_LABEL, suite, signingPublicKey, kemPublicKey));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Lower-case hex of a fingerprint, as APIs return it. */
    public static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }

    /** 30 digits (6 groups of 5, space-separated) that a person can read out. */
    public static String fingerprintDigits(byte[] fingerprint) {
        if (fingerprint.length < 30) {
            throw new IllegalArgumentException("a fingerprint has 32 bytes");
        }
        StringBuilder b = new StringBuilder();
        for (int block = 0; block < 6; block++) {
            long value = 0;
            for (int i = 0; i < 5; i++) {
                value = (value << 8) | (fingerprint[block * 5 + i] & 0xffL);
            }
            if (block > 0) {
                b.append(' ');
            }
            b.append(String.format("%05d", value % 100_000));
        }
        return b.toString();
    }

    /** The number two people compare to check each other's identity: the same for both sides. */
    public static String safetyNumber(byte[] fingerprintA, byte[] fingerprintB) {
        String a = fingerprintDigits(fingerprintA);
        String b = fingerprintDigits(fingerprintB);
        return a.compareTo(b) <= 0 ? a + " " + b : b + " " + a;
    }

    private static byte[] labelled(String label, String suite, byte[] signingPublicKey, byte[] kemPublicKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        field(out, suite.getBytes(StandardCharsets.UTF_8));
        field(out, signingPublicKey);
        field(out, kemPublicKey);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, byte[] value) {
        if (value.length > 0xffff) {
            throw new IllegalArgumentException("field longer than 65535 bytes");
        }
        out.write(value.length >>> 8);
        out.write(value.length & 0xff);
        out.writeBytes(Arrays.copyOf(value, value.length));
    }
}
