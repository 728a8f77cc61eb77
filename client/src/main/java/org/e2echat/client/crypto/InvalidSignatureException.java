package org.e2echat.client.crypto;

/** An Ed25519 signature does not verify under the key it claims: forged, altered or re-labelled data. */
public class InvalidSignatureException extends CryptoException {

    private static final long serialVersionUID = 1L;

    public InvalidSignatureException(String message) {
        super(message);
    }
}
