package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KeyAtRestTest {

    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    private static Identity identity;
    private static byte[] sealed;

    @BeforeAll
    static void sealOnce() {
        identity = Identity.generate(4);
        sealed = KeyAtRest.seal(identity.privateKeys(), PASSPHRASE);
    }

    @Test
    void theRightPassphraseGivesBackTheSameKeys() throws CryptoException {
        PrivateKeyMaterial opened = KeyAtRest.open(sealed, PASSPHRASE);
        assertArrayEquals(identity.privateKeys().encode(), opened.encode());
        assertEquals(4, opened.keyVersion());
        assertEquals(identity.publicIdentity(), Identity.fromPrivateKeys(opened).publicIdentity());
    }

    @Test
    void aWrongPassphraseIsAClearErrorNeverOtherKeys() {
        WrongPassphraseException e = assertThrows(WrongPassphraseException.class,
                () -> KeyAtRest.open(sealed, "correct horse battery stapler".toCharArray()));
        assertFalse(e.getMessage().isEmpty());
        assertThrows(WrongPassphraseException.class, () -> KeyAtRest.open(sealed, new char[0]));
    }

    @Test
    void theHeaderRecordsTheArgon2ParametersSaltAndNonce() throws MalformedDataException {
        Canonical.Reader r = new Canonical.Reader(sealed);
        r.expectLabel("e2echat/key-at-rest/v1");
        assertEquals(1, r.u8()); // Argon2id
        assertEquals(0x13, r.u8()); // Argon2 version 1.3
        assertEquals(19_456, r.u32());
        assertEquals(2, r.u32());
        assertEquals(1, r.u32());
        assertEquals(16, r.field().length);
        assertEquals(1, r.u8()); // AES-256-GCM
        assertEquals(12, r.field().length);
        byte[] ciphertext = r.field();
        r.expectEnd();
        assertEquals(identity.privateKeys().encode().length + 16, ciphertext.length);
    }

    @Test
    void sealingTwiceUsesFreshSaltAndNonce() throws MalformedDataException {
        byte[] again = KeyAtRest.seal(identity.privateKeys(), PASSPHRASE);
        assertFalse(Arrays.equals(sealed, again));
        assertFalse(Arrays.equals(salt(sealed), salt(again)));
    }

    @Test
    void alteredParametersOrCiphertextDoNotOpen() {
        byte[] moreIterations = sealed.clone();
        int iterationsLastByte = "e2echat/key-at-rest/v1".length() + 1 + 2 + 4 + 3;
        assertEquals(2, moreIterations[iterationsLastByte]);
        moreIterations[iterationsLastByte] = 3;
        assertThrows(WrongPassphraseException.class, () -> KeyAtRest.open(moreIterations, PASSPHRASE));

        byte[] flipped = sealed.clone();
        flipped[flipped.length - 5] ^= 0x20;
        assertThrows(WrongPassphraseException.class, () -> KeyAtRest.open(flipped, PASSPHRASE));
    }

    @Test
    void malformedOrHostileFilesAreRefusedBeforeAnyWork() {
        assertThrows(MalformedDataException.class, () -> KeyAtRest.open(new byte[0], PASSPHRASE));
        assertThrows(MalformedDataException.class,
                () -> KeyAtRest.open(Arrays.copyOf(sealed, sealed.length - 1), PASSPHRASE));
        byte[] otherLabel = sealed.clone();
        otherLabel[0] = 'x';
        assertThrows(MalformedDataException.class, () -> KeyAtRest.open(otherLabel, PASSPHRASE));
        byte[] hugeMemory = sealed.clone();
        int memoryFirstByte = "e2echat/key-at-rest/v1".length() + 1 + 2;
        hugeMemory[memoryFirstByte] = 0x7f; // ~2 TiB: must be refused, not allocated
        assertThrows(MalformedDataException.class, () -> KeyAtRest.open(hugeMemory, PASSPHRASE));
        byte[] trailing = Arrays.copyOf(sealed, sealed.length + 1);
        assertThrows(MalformedDataException.class, () -> KeyAtRest.open(trailing, PASSPHRASE));
    }

    @Test
    void composedAndDecomposedAccentsAreTheSamePassphrase() throws CryptoException {
        byte[] s = KeyAtRest.seal(identity.privateKeys(), "caf\u00e9 cr\u00e8me".toCharArray());
        PrivateKeyMaterial opened = KeyAtRest.open(s, "cafe\u0301 cre\u0300me".toCharArray());
        assertArrayEquals(identity.privateKeys().encode(), opened.encode());
    }

    @Test
    void weakSettingsAndEmptyPassphrasesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyAtRest.Argon2Settings(8_192, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyAtRest.Argon2Settings(19_456, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyAtRest.Argon2Settings(19_456, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> KeyAtRest.seal(identity.privateKeys(), new char[0]));
    }

    @Test
    void strongerSettingsAreRecordedAndUsed() throws CryptoException {
        byte[] s = KeyAtRest.seal(identity.privateKeys(), PASSPHRASE, new KeyAtRest.Argon2Settings(32_768, 3, 2),
                new SecureRandom());
        Canonical.Reader r = new Canonical.Reader(s);
        r.expectLabel("e2echat/key-at-rest/v1");
        r.u8();
        r.u8();
        assertEquals(32_768, r.u32());
        assertEquals(3, r.u32());
        assertEquals(2, r.u32());
        assertArrayEquals(identity.privateKeys().encode(), KeyAtRest.open(s, PASSPHRASE).encode());
    }

    private static byte[] salt(byte[] blob) throws MalformedDataException {
        Canonical.Reader r = new Canonical.Reader(blob);
        r.expectLabel("e2echat/key-at-rest/v1");
        r.u8();
        r.u8();
        r.u32();
        r.u32();
        r.u32();
        return r.field();
    }

    @Test
    void aSecretSealsUnderItsOwnLabelSoKeysAndSecretsNeverOpenAsEachOther() throws CryptoException {
        byte[] secret = "an opaque refresh token".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] sealedSecret = KeyAtRest.sealSecret(secret, PASSPHRASE);
        assertArrayEquals(secret, KeyAtRest.openSecret(sealedSecret, PASSPHRASE));
        assertThrows(WrongPassphraseException.class, () -> KeyAtRest.openSecret(sealedSecret, "nope".toCharArray()));
        assertThrows(MalformedDataException.class, () -> KeyAtRest.open(sealedSecret, PASSPHRASE));
        assertThrows(MalformedDataException.class, () -> KeyAtRest.openSecret(sealed, PASSPHRASE));
        new Canonical.Reader(sealedSecret).expectLabel("e2echat/secret-at-rest/v1");
    }
}
