package org.e2echat.user.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7748 §5 and §6.1: KEM keys nobody can wrap to are refused at upload. */
class X25519KeyCheckTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // u = 0 and u = 1
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            // the two points of order 8
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            // p - 1, p, p + 1 (the last two are non-canonical 0 and 1)
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            // 2^255 - 1 and the top bit set on u = 0 and u = 9
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "0900000000000000000000000000000000000000000000000000000000000080"})
    void smallOrderAndNonCanonicalKeysAreRefused(String hex) {
        assertFalse(IdentityValidator.isUsableX25519(HexFormat.of().parseHex(hex)));
    }

    @Test
    void generatedKeysAndTheBasePointAreAccepted() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            assertTrue(IdentityValidator.isUsableX25519(
                    new X25519PrivateKeyParameters(random).generatePublicKey().getEncoded()));
        }
        assertTrue(IdentityValidator.isUsableX25519(HexFormat.of().parseHex(
                "0900000000000000000000000000000000000000000000000000000000000000")));
    }
}
