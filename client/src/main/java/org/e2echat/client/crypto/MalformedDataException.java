package org.e2echat.client.crypto;

/** Received or stored bytes do not have the shape this suite defines (lengths, versions, suite, JSON). */
public class MalformedDataException extends CryptoException {

    private static final long serialVersionUID = 1L;

    public MalformedDataException(String message) {
        super(message);
    }

    public MalformedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
