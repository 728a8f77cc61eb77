package org.e2echat.client.crypto;

/** Protected data names a session, epoch, user or key version other than the one the reader expects. */
public class ContextMismatchException extends CryptoException {

    private static final long serialVersionUID = 1L;

    public ContextMismatchException(String message) {
        super(message);
    }
}
