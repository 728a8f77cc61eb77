package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

/**
 * RFC 9106 section 5.3 Argon2id vector for the BouncyCastle generator that protects keys at rest
 * (the SDK's own use has no secret or associated data; those are part of the published vector).
 */
class Argon2Rfc9106VectorTest {

    @Test
    void argon2idSection53() {
        byte[] filled32 = new byte[32];
        Arrays.fill(filled32, (byte) 0x01);
        byte[] salt = new byte[16];
        Arrays.fill(salt, (byte) 0x02);
        byte[] secret = new byte[8];
        Arrays.fill(secret, (byte) 0x03);
        byte[] ad = new byte[12];
        Arrays.fill(ad, (byte) 0x04);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(32).withIterations(3).withParallelism(4)
                .withSalt(salt).withSecret(secret).withAdditional(ad)
                .build());
        byte[] tag = new byte[32];
        generator.generateBytes(filled32, tag);
        assertArrayEquals(Hex.decode("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"), tag);
    }
}
