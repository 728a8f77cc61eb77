package org.e2echat.client.crypto;

/** The passphrase does not open the encrypted private keys (or the stored bytes were altered). */
public class WrongPassphraseException extends CryptoException {

    private static final long serialVersionUID = 1L;

    public WrongPassphraseException(String message, Throwable cause) {
        super(message, cause);
    }
}
