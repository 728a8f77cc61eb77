package org.e2echat.client.crypto;

/** An AEAD or HPKE open failed: wrong key, or ciphertext, nonce or bound context differ from what was sealed. */
public class DecryptionException extends CryptoException {

    private static final long serialVersionUID = 1L;

    public DecryptionException(String message) {
        super(message);
    }

    public DecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
