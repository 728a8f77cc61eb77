package org.e2echat.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.junit.jupiter.api.Test;

class IdentityEncodingTest {

    private static final byte[] SIGNING = filled(1);
    private static final byte[] KEM = filled(2);

    @Test
    void fingerprintIsStableForTheSameKeysAndChangesWithAnyOfThem() {
        byte[] fp = IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, SIGNING, KEM);
        assertEquals(32, fp.length);
        assertArrayEquals(fp, IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, SIGNING.clone(), KEM.clone()));
        assertNotEquals(IdentityEncoding.hex(fp), IdentityEncoding.hex(
                IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, KEM, SIGNING)));
        assertNotEquals(IdentityEncoding.hex(fp), IdentityEncoding.hex(
                IdentityEncoding.fingerprint("other-suite", SIGNING, KEM)));
    }

    @Test
    void signatureInputAndFingerprintUseDifferentLabels() {
        byte[] input = IdentityEncoding.kemKeySignatureInput(IdentityEncoding.SUITE_V1, SIGNING, KEM);
        assertTrue(new String(input, 0, 18, java.nio.charset.StandardCharsets.US_ASCII).startsWith("e2echat/kem-key/v1"));
        // label, 0x00, then three length-prefixed fields
        assertEquals(18 + 1 + 2 + IdentityEncoding.SUITE_V1.length() + 2 + 32 + 2 + 32, input.length);
    }

    @Test
    void digitsHaveSixGroupsOfFive() {
        String digits = IdentityEncoding.fingerprintDigits(IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, SIGNING, KEM));
        assertTrue(digits.matches("\\d{5}( \\d{5}){5}"), digits);
        byte[] zeros = new byte[32];
        assertEquals("00000 00000 00000 00000 00000 00000", IdentityEncoding.fingerprintDigits(zeros));
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        // 2^40 - 1 = 1099511627775, mod 100000 = 27775
        assertEquals("27775 27775 27775 27775 27775 27775", IdentityEncoding.fingerprintDigits(ones));
    }

    @Test
    void safetyNumberIsTheSameFromBothSides() {
        byte[] a = IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, SIGNING, KEM);
        byte[] b = IdentityEncoding.fingerprint(IdentityEncoding.SUITE_V1, KEM, SIGNING);
        assertEquals(IdentityEncoding.safetyNumber(a, b), IdentityEncoding.safetyNumber(b, a));
        assertTrue(IdentityEncoding.safetyNumber(a, b).matches("\\d{5}( \\d{5}){11}"));
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
