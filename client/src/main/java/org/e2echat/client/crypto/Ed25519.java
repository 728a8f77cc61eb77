package org.e2echat.client.crypto;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.e2echat.contracts.identity.IdentityEncoding;

/** Pure Ed25519 (RFC 8032, no context, no pre-hash) sign and verify over BouncyCastle's lightweight API. */
final class Ed25519 {

    private Ed25519() {
    }

    static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != IdentityEncoding.PUBLIC_KEY_BYTES || signature.length != IdentityEncoding.SIGNATURE_BYTES) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        try {
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        } catch (IllegalArgumentException e) {
            return false;
        }
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }
}
