package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

/**
 * RFC 7748 section 5.2 (X25519 function) and section 6.1 (Diffie-Hellman) vectors, through the
 * BouncyCastle lightweight classes the SDK's KEM uses. The 1,000,000-iteration vector is left out
 * (minutes of CPU for no extra coverage over the 1,000-iteration one).
 */
class X25519Rfc7748VectorTest {

    private static byte[] x25519(byte[] scalar, byte[] u) {
        byte[] out = new byte[32];
        new X25519PrivateKeyParameters(scalar, 0).generateSecret(new X25519PublicKeyParameters(u, 0), out, 0);
        return out;
    }

    @Test
    void section52FirstVector() {
        assertArrayEquals(
                Hex.decode("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
                x25519(Hex.decode("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                        Hex.decode("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
    }

    @Test
    void section52SecondVectorWithTheTopBitOfUSet() {
        // The RFC's u ends in 0x93: its most significant bit is set and must be masked by the implementation.
        assertArrayEquals(
                Hex.decode("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
                x25519(Hex.decode("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                        Hex.decode("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")));
    }

    @Test
    void section52IteratedOnceAndAThousandTimes() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] r = x25519(k, u);
            u = k;
            k = r;
            if (i == 1) {
                assertArrayEquals(Hex.decode("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }
        assertArrayEquals(Hex.decode("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    @Test
    void section61DiffieHellman() {
        byte[] a = Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] b = Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = Hex.decode("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] bobPublic = Hex.decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] shared = Hex.decode("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

        assertArrayEquals(alicePublic, new X25519PrivateKeyParameters(a, 0).generatePublicKey().getEncoded());
        assertArrayEquals(bobPublic, new X25519PrivateKeyParameters(b, 0).generatePublicKey().getEncoded());
        assertArrayEquals(shared, x25519(a, bobPublic));
        assertArrayEquals(shared, x25519(b, alicePublic));
    }
}
