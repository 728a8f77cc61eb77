package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AES-256-GCM test cases 13-16 of "The Galois/Counter Mode of Operation (GCM)" (McGrew and Viega,
 * the GCM submission to NIST), through the SDK's AES-GCM helper. Expected = ciphertext || tag.
 */
class AesGcmNistVectorTest {

    private static final String K15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    private static final String P64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private static final String C64 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    @ParameterizedTest(name = "GCM test case {0}")
    @CsvSource({
        "13, 0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', '',"
            + " '', 530f8afbc74536b9a963b4f1c4cb738b",
        "14, 0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000,"
            + " 00000000000000000000000000000000, '', cea7403d4d606b6e074ec5d3baf39d18, d0d1c8a799996bf0265b98b5d48ab919",
        "15, " + K15 + ", cafebabefacedbaddecaf888, " + P64 + ", '', " + C64 + ", b094dac5d93471bdec1a502270e3cc6c",
        // Test case 16: the first 60 bytes of the test case 15 plaintext/ciphertext, with AAD.
        "16, " + K15 + ", cafebabefacedbaddecaf888,"
            + " d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39,"
            + " feedfacedeadbeeffeedfacedeadbeefabaddad2,"
            + " 522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662,"
            + " 76fc6ece0f4e1768cddf8853bb2d551b",
    })
    void testCase(int n, String key, String iv, String plaintext, String aad, String ciphertext, String tag)
            throws DecryptionException {
        byte[] k = Hex.decode(key);
        byte[] nonce = Hex.decode(iv);
        byte[] a = Hex.decode(aad);
        byte[] p = Hex.decode(plaintext);
        byte[] expected = Hex.decode(ciphertext + tag);

        assertArrayEquals(expected, AesGcm.seal(k, nonce, a, p));
        assertArrayEquals(p, AesGcm.open(k, nonce, a, expected));

        byte[] tampered = expected.clone();
        tampered[tampered.length - 1] ^= 0x80;
        assertThrows(DecryptionException.class, () -> AesGcm.open(k, nonce, a, tampered));
        byte[] otherAad = new byte[a.length + 1];
        assertThrows(DecryptionException.class, () -> AesGcm.open(k, nonce, otherAad, expected));
    }
}
