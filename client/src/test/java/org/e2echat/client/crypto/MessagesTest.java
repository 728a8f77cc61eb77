package org.e2echat.client.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.junit.jupiter.api.Test;

class MessagesTest {

    private static final String SESSION = "sess-1";
    private static final long EPOCH = 3;
    private static final String ALICE = "alice";
    private static final String CAROL = "carol";

    private final Identity alice = Identity.generate(1);
    private final Identity carol = Identity.generate(1);
    private final byte[] epochKey = SessionKeys.newSessionKey();
    private final UUID messageId = UUID.randomUUID();
    private final MessageContent content = MessageContent.text("meet at 10, \"the usual\" place \u2615");
    private final EncryptedMessage message = Messages.encrypt(epochKey, SESSION, EPOCH, ALICE, messageId, content, alice);

    private MessageContent read(EncryptedMessage m) throws CryptoException {
        return Messages.decrypt(m, m.sessionId(), epochKey, alice.publicIdentity());
    }

    @Test
    void aMemberDecryptsWhatTheSenderEncrypted() throws CryptoException {
        assertEquals(content, read(message));
        assertEquals(IdentityEncoding.SUITE_V1, message.suite());
        assertEquals(1, message.formatVersion());
        assertEquals(SESSION, message.sessionId());
        assertEquals(EPOCH, message.epoch());
        assertEquals(ALICE, message.senderId());
        assertEquals(1, message.senderKeyVersion());
        assertEquals(messageId, message.clientMessageId());
        assertEquals(12, message.nonce().length);
        assertEquals(content.toJsonBytes().length + 16, message.ciphertext().length);
        assertEquals(64, message.signature().length);
    }

    @Test
    void theCiphertextDoesNotContainThePlaintext() {
        String ct = new String(message.ciphertext(), StandardCharsets.ISO_8859_1);
        assertFalse(ct.contains("meet at 10"));
    }

    @Test
    void everyEncryptionUsesAFreshNonce() {
        EncryptedMessage again = Messages.encrypt(epochKey, SESSION, EPOCH, ALICE, messageId, content, alice);
        assertFalse(Arrays.equals(message.nonce(), again.nonce()));
        assertFalse(Arrays.equals(message.ciphertext(), again.ciphertext()));
    }

    @Test
    void base64FormRoundTrips() throws CryptoException {
        EncryptedMessage parsed = EncryptedMessage.fromBase64(message.suite(), 1, SESSION, EPOCH, ALICE, 1,
                messageId.toString(), message.nonceBase64(), message.ciphertextBase64(), message.signatureBase64());
        assertEquals(message, parsed);
        assertEquals(content, read(parsed));
        assertThrows(MalformedDataException.class, () -> EncryptedMessage.fromBase64(message.suite(), 1, SESSION, EPOCH,
                ALICE, 1, "1-2-3-4-5", message.nonceBase64(), message.ciphertextBase64(), message.signatureBase64()));
    }

    @Test
    void movedToAnotherSessionFails() {
        EncryptedMessage moved = relabel("sess-2", EPOCH, ALICE, messageId);
        assertThrows(InvalidSignatureException.class, () -> read(moved));
        // Served under another session without even relabelling it.
        assertThrows(ContextMismatchException.class,
                () -> Messages.decrypt(message, "sess-2", epochKey, alice.publicIdentity()));
    }

    @Test
    void movedToAnotherEpochFails() {
        assertThrows(InvalidSignatureException.class, () -> read(relabel(SESSION, EPOCH + 1, ALICE, messageId)));
    }

    @Test
    void movedToAnotherSenderFails() {
        EncryptedMessage moved = relabel(SESSION, EPOCH, CAROL, messageId);
        assertThrows(InvalidSignatureException.class,
                () -> Messages.decrypt(moved, SESSION, epochKey, carol.publicIdentity()));
        assertThrows(InvalidSignatureException.class, () -> read(moved));
    }

    @Test
    void movedToAnotherMessageIdFails() {
        assertThrows(InvalidSignatureException.class, () -> read(relabel(SESSION, EPOCH, ALICE, UUID.randomUUID())));
    }

    @Test
    void tamperedCiphertextNonceOrSignatureFails() {
        byte[] ct = message.ciphertext();
        ct[0] ^= 1;
        byte[] nonce = message.nonce();
        nonce[11] ^= 1;
        byte[] sig = message.signature();
        sig[63] ^= 1;
        assertThrows(InvalidSignatureException.class, () -> read(with(message.nonce(), ct, message.signature())));
        assertThrows(InvalidSignatureException.class, () -> read(with(nonce, message.ciphertext(), message.signature())));
        assertThrows(InvalidSignatureException.class, () -> read(with(message.nonce(), message.ciphertext(), sig)));
    }

    @Test
    void signedByAnotherKeyFails() {
        EncryptedMessage forged = Messages.encrypt(epochKey, SESSION, EPOCH, ALICE, messageId, content, carol);
        assertThrows(InvalidSignatureException.class, () -> read(forged));
    }

    @Test
    void aMemberWhoReSignsAnotherMembersCiphertextUnderAnotherHeaderIsStoppedByTheAad() {
        // Carol knows the epoch key and can sign: she re-labels alice's ciphertext as hers, or to another
        // message id, session or epoch, and signs it. Only the AAD binding catches this.
        assertThrows(DecryptionException.class, () -> readResigned(SESSION, EPOCH, CAROL, messageId));
        assertThrows(DecryptionException.class, () -> readResigned(SESSION, EPOCH, CAROL, UUID.randomUUID()));
        assertThrows(DecryptionException.class, () -> readResigned("sess-2", EPOCH, CAROL, messageId));
        assertThrows(DecryptionException.class, () -> readResigned(SESSION, EPOCH + 1, CAROL, messageId));
    }

    @Test
    void theWrongEpochKeyFails() {
        assertThrows(DecryptionException.class,
                () -> Messages.decrypt(message, SESSION, SessionKeys.newSessionKey(), alice.publicIdentity()));
    }

    @Test
    void anIdentityOfAnotherKeyVersionIsAMismatch() {
        assertThrows(ContextMismatchException.class,
                () -> Messages.decrypt(message, SESSION, epochKey, Identity.generate(2).publicIdentity()));
    }

    @Test
    void unknownSuiteFormatOrSizesAreMalformed() {
        EncryptedMessage otherSuite = new EncryptedMessage("other", 1, SESSION, EPOCH, ALICE, 1, messageId,
                message.nonce(), message.ciphertext(), message.signature());
        EncryptedMessage otherFormat = new EncryptedMessage(message.suite(), 2, SESSION, EPOCH, ALICE, 1, messageId,
                message.nonce(), message.ciphertext(), message.signature());
        assertThrows(MalformedDataException.class, () -> read(otherSuite));
        assertThrows(MalformedDataException.class, () -> read(otherFormat));
        assertThrows(MalformedDataException.class, () -> read(with(new byte[8], message.ciphertext(), message.signature())));
        assertThrows(MalformedDataException.class, () -> read(with(message.nonce(), new byte[15], message.signature())));
        assertThrows(MalformedDataException.class, () -> read(with(message.nonce(), message.ciphertext(), new byte[63])));
    }

    @Test
    void aSignedAndEncryptedPlaintextThatIsNotOurJsonIsMalformed() {
        byte[] header = Messages.header(1, SESSION, EPOCH, ALICE, messageId);
        byte[] nonce = new byte[12];
        byte[] ct = AesGcm.seal(epochKey, nonce, header, "{\"text\":\"no type\"}".getBytes(StandardCharsets.UTF_8));
        byte[] sig = alice.sign(Messages.signatureInput(header, nonce, ct));
        assertThrows(MalformedDataException.class, () -> read(with(nonce, ct, sig)));
    }

    @Test
    void thePlaintextSizeLimitFollowsFromTheSixteenBitLength() throws CryptoException {
        String fits = "x".repeat(Messages.MAX_PLAINTEXT_BYTES - "{\"type\":\"text\",\"text\":\"\"}".length());
        EncryptedMessage big = Messages.encrypt(epochKey, SESSION, EPOCH, ALICE, messageId, MessageContent.text(fits), alice);
        assertEquals(0xffff, big.ciphertext().length);
        assertEquals(fits, read(big).text());
        assertThrows(IllegalArgumentException.class, () -> Messages.encrypt(epochKey, SESSION, EPOCH, ALICE, messageId,
                MessageContent.text(fits + "x"), alice));
    }

    @Test
    void controlTheResignHelperOpensWhenNothingMoved() {
        // Alice re-signing her own message unchanged must open: the failures above come from the binding.
        EncryptedMessage same = with(message.nonce(), message.ciphertext(), alice.sign(Messages.signatureInput(
                Messages.header(1, SESSION, EPOCH, ALICE, messageId), message.nonce(), message.ciphertext())));
        assertDoesNotThrow(() -> read(same));
        assertArrayEquals(message.signature(), same.signature()); // Ed25519 is deterministic
    }

    private EncryptedMessage relabel(String sessionId, long epoch, String senderId, UUID id) {
        return new EncryptedMessage(message.suite(), 1, sessionId, epoch, senderId, 1, id, message.nonce(),
                message.ciphertext(), message.signature());
    }

    private EncryptedMessage with(byte[] nonce, byte[] ciphertext, byte[] signature) {
        return new EncryptedMessage(message.suite(), 1, SESSION, EPOCH, ALICE, 1, messageId, nonce, ciphertext, signature);
    }

    private MessageContent readResigned(String sessionId, long epoch, String senderId, UUID id) throws CryptoException {
        byte[] header = Messages.header(1, sessionId, epoch, senderId, id);
        byte[] sig = carol.sign(Messages.signatureInput(header, message.nonce(), message.ciphertext()));
        EncryptedMessage m = new EncryptedMessage(message.suite(), 1, sessionId, epoch, senderId, carol.keyVersion(), id,
                message.nonce(), message.ciphertext(), sig);
        return Messages.decrypt(m, sessionId, epochKey, carol.publicIdentity());
    }
}
