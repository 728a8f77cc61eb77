package org.e2echat.user.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.validation.StrictBase64;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * Checks an uploaded public identity: known suite, strict base64, 32-byte keys, a decodable
 * Ed25519 point, a non-degenerate X25519 key, and the signing key's signature over the KEM key.
 * It never sees a private key.
 */
public final class IdentityValidator {

    /** p = 2^255 - 19, little-endian. */
    private static final byte[] P_LE = new byte[32];
    /** Any scalar will do: clamping makes it a multiple of the cofactor. */
    private static final byte[] PROBE_SCALAR = new byte[32];

    static {
        Arrays.fill(P_LE, (byte) 0xff);
        P_LE[0] = (byte) 0xed;
        P_LE[31] = (byte) 0x7f;
        new SecureRandom().nextBytes(PROBE_SCALAR);
    }

    /** What a client uploads. */
    public record Upload(String suite, String signingPublicKey, String kemPublicKey, String kemKeySignature,
            Instant expiresAt) {
    }

    private IdentityValidator() {
    }

    /** Validates and returns the key as version {@code version}, ACTIVE, created {@code now}. */
    public static IdentityKey validate(Upload upload, int version, Instant now) {
        if (upload == null) {
            throw ProblemException.badRequest("invalid-identity", "identity is required.");
        }
        if (!IdentityEncoding.SUITE_V1.equals(upload.suite())) {
            throw ProblemException.unprocessable("unsupported-suite",
                    "suite must be " + IdentityEncoding.SUITE_V1 + ".");
        }
        byte[] signing = StrictBase64.decode("signingPublicKey", upload.signingPublicKey(), IdentityEncoding.PUBLIC_KEY_BYTES);
        byte[] kem = StrictBase64.decode("kemPublicKey", upload.kemPublicKey(), IdentityEncoding.PUBLIC_KEY_BYTES);
        byte[] signature = StrictBase64.decode("kemKeySignature", upload.kemKeySignature(), IdentityEncoding.SIGNATURE_BYTES);
        if (upload.expiresAt() != null && !upload.expiresAt().isAfter(now)) {
            throw ProblemException.unprocessable("invalid-identity", "expiresAt must be in the future.");
        }
        if (!isUsableX25519(kem)) {
            throw ProblemException.unprocessable("invalid-key", "kemPublicKey is not a usable X25519 key.");
        }
        Ed25519PublicKeyParameters signingKey;
        try {
            signingKey = new Ed25519PublicKeyParameters(signing, 0);
        } catch (IllegalArgumentException e) {
            throw ProblemException.unprocessable("invalid-key", "signingPublicKey is not an Ed25519 key.");
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, signingKey);
        byte[] input = IdentityEncoding.kemKeySignatureInput(upload.suite(), signing, kem);
        verifier.update(input, 0, input.length);
        boolean valid;
        try {
            valid = verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw ProblemException.unprocessable("bad-key-signature",
                    "kemKeySignature does not verify under signingPublicKey.");
        }
        String fingerprint = IdentityEncoding.hex(IdentityEncoding.fingerprint(upload.suite(), signing, kem));
        return new IdentityKey(version, upload.suite(), upload.signingPublicKey(), upload.kemPublicKey(),
                upload.kemKeySignature(), fingerprint, KeyStatus.ACTIVE, now, upload.expiresAt(), null);
    }

    /**
     * RFC 7748 §5 and §6.1: the u-coordinate is canonical (little-endian, below p = 2^255 - 19, so
     * the top bit clear), and a Diffie-Hellman with it does not end in the all-zero value, which is
     * what every point of small order (u = 0, 1, p - 1, the two points of order 8, and their
     * non-canonical aliases) gives with any clamped scalar. A client could not wrap a key to it.
     */
    static boolean isUsableX25519(byte[] u) {
        if (u.length != X25519.POINT_SIZE || !isBelowP(u)) {
            return false;
        }
        return X25519.calculateAgreement(PROBE_SCALAR, 0, u, 0, new byte[X25519.POINT_SIZE], 0);
    }

    private static boolean isBelowP(byte[] u) {
        // compare from the most significant byte
        for (int i = 31; i >= 0; i--) {
            int a = u[i] & 0xff;
            int b = P_LE[i] & 0xff;
            if (a != b) {
                return a < b;
            }
        }
        return false;
    }
}
