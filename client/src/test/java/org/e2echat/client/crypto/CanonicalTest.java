package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class CanonicalTest {

    @Test
    void layoutOfEachPrimitive() {
        byte[] b = Canonical.label("ab").u8(7).u32(0x01020304L).u64(5).field(new byte[] {9, 8}).field("\u00e9")
                .toByteArray();
        assertArrayEquals(Hex.decode("616200" + "07" + "01020304" + "0000000000000005" + "00020908" + "0002c3a9"), b);
    }

    @Test
    void refusesValuesThatCannotBeEncodedUnambiguously() {
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().field(new byte[0x10000]));
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().u64(-1));
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().u32(-1));
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().u32(0x1_0000_0000L));
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().u8(256));
        assertThrows(IllegalArgumentException.class, () -> Canonical.unlabelled().field("lone \uD800"));
        assertThrows(IllegalArgumentException.class, () -> Canonical.label("caf\u00e9"));
    }

    @Test
    void the65535ByteFieldIsTheLargestAccepted() {
        byte[] b = Canonical.unlabelled().field(new byte[0xffff]).toByteArray();
        assertArrayEquals(Hex.decode("ffff"), new byte[] {b[0], b[1]});
    }
}
