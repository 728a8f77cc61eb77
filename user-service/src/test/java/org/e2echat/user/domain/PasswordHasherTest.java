package org.e2echat.user.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(19_456, 2, 1);

    @Test
    void verifiesTheRightPasswordOnlyAndSaltsEachHash() {
        String a = hasher.hash("a long enough password".toCharArray());
        String b = hasher.hash("a long enough password".toCharArray());
        assertNotEquals(a, b);
        assertTrue(hasher.verify("a long enough password".toCharArray(), a));
        assertFalse(hasher.verify("a long enough passworD".toCharArray(), a));
    }

    @Test
    void hashesCarryTheirParametersSoStrongerDefaultsStillVerifyOldHashes() {
        String old = hasher.hash("pw pw pw pw pw".toCharArray());
        PasswordHasher stronger = new PasswordHasher(32_768, 3, 1);
        assertTrue(stronger.verify("pw pw pw pw pw".toCharArray(), old));
        assertTrue(stronger.hash("x".toCharArray()).startsWith("$argon2id$v=19$m=32768,t=3,p=1$"));
    }

    @Test
    void malformedStoredHashesNeverMatch() {
        assertFalse(hasher.verify("x".toCharArray(), null));
        assertFalse(hasher.verify("x".toCharArray(), "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA"));
        assertFalse(hasher.verify("x".toCharArray(), "plain"));
    }

    @Test
    void refusesParametersBelowTheOwaspMinimum() {
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(4096, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(19_456, 1, 1));
    }
}
