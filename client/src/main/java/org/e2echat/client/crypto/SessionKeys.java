package org.e2echat.client.crypto;

import java.security.SecureRandom;

/** Session (epoch) keys: 32 random bytes, one per session epoch, shared with members only inside envelopes. */
public final class SessionKeys {

    /** AES-256 key length. */
    public static final int KEY_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionKeys() {
    }

    public static byte[] newSessionKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }
}
