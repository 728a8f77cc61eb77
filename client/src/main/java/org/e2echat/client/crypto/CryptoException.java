package org.e2echat.client.crypto;

import java.security.GeneralSecurityException;

/** Base of every failure to open, verify or parse protected data; checked so callers cannot ignore it. */
public class CryptoException extends GeneralSecurityException {

    private static final long serialVersionUID = 1L;

    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
