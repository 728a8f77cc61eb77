import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Prints a new ES256 signing key for user-service as a private EC P-256 JWK on one line, for the
 * key {@code signing.jwk} of the Secret {@code e2echat-jwt}. JDK only: {@code java deploy/k8s/NewSigningKey.java}.
 * The output is a private key: pipe it straight into the Secret, never into a file under version control.
 */
public class NewSigningKey {

    public static void main(String[] args) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        ECPrivateKey priv = (ECPrivateKey) pair.getPrivate();
        System.out.println("{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\""
                + ",\"x\":\"" + coordinate(pub.getW().getAffineX())
                + "\",\"y\":\"" + coordinate(pub.getW().getAffineY())
                + "\",\"d\":\"" + coordinate(priv.getS()) + "\"}");
    }

    /** RFC 7518 §6.2.1: a P-256 coordinate is exactly 32 bytes, big-endian, base64url without padding. */
    private static String coordinate(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] fixed = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
    }
}
