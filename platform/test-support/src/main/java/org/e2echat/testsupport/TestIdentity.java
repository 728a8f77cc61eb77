package org.e2echat.testsupport;

import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.e2echat.contracts.identity.IdentityEncoding;

/**
 * A throwaway public identity for service tests (Ed25519 signing key, X25519 KEM key, and the
 * signature over the KEM key), as a client would upload it. Private keys never leave the test.
 */
public record TestIdentity(String suite, String signingPublicKey, String kemPublicKey, String kemKeySignature,
        byte[] signingPublic, byte[] kemPublic) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static TestIdentity generate() {
        return signed(new X25519PrivateKeyParameters(RANDOM).generatePublicKey().getEncoded());
    }

    /**
     * A fresh signing key that correctly signs {@code kemPub}, whatever its bytes: how a hostile
     * client uploads a KEM key nobody can wrap to.
     */
    public static TestIdentity signed(byte[] kemPub) {
        Ed25519PrivateKeyParameters signing = new Ed25519PrivateKeyParameters(RANDOM);
        byte[] signingPub = signing.generatePublicKey().getEncoded();
        byte[] input = IdentityEncoding.kemKeySignatureInput(IdentityEncoding.SUITE_V1, signingPub, kemPub);
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, signing);
        signer.update(input, 0, input.length);
        byte[] signature = signer.generateSignature();
        Base64.Encoder b64 = Base64.getEncoder();
        return new TestIdentity(IdentityEncoding.SUITE_V1, b64.encodeToString(signingPub), b64.encodeToString(kemPub),
                b64.encodeToString(signature), signingPub, kemPub);
    }

    /** The lower-case hex fingerprint a server must report for this identity. */
    public String fingerprint() {
        return IdentityEncoding.hex(IdentityEncoding.fingerprint(suite, signingPublic, kemPublic));
    }

    /** The same keys with another identity's signature: must be refused. */
    public TestIdentity withSignatureOf(TestIdentity other) {
        return new TestIdentity(suite, signingPublicKey, kemPublicKey, other.kemKeySignature, signingPublic, kemPublic);
    }
}
