package org.e2echat.client.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Private keys encrypted under a passphrase for storage on the device: Argon2id derives an
 * AES-256-GCM key; the parameters, salt and nonce travel in a versioned header that is also the AAD.
 *
 * <pre>
 * header = "e2echat/key-at-rest/v1" || 0x00
 *          || uint8 kdf (1 = Argon2id) || uint8 argon2Version (0x13)
 *          || uint32 memoryKiB || uint32 iterations || uint32 parallelism
 *          || field(salt, 16 bytes)
 *          || uint8 aead (1 = AES-256-GCM) || field(nonce, 12 bytes)
 * sealed = header || field(AES-256-GCM(key, nonce, aad = header, PrivateKeyMaterial encoding))
 * </pre>
 *
 * <p>{@link #sealSecret} uses the same layout with the label {@code "e2echat/secret-at-rest/v1"}
 * and the secret's bytes as the plaintext.
 */
public final class KeyAtRest {

    private static final String LABEL = "e2echat/key-at-rest/v1";
    private static final String SECRET_LABEL = "e2echat/secret-at-rest/v1";
    private static final int KDF_ARGON2ID = 1;
    private static final int AEAD_AES_256_GCM = 1;
    private static final int SALT_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Argon2id cost. The floor is OWASP's minimum; the ceiling stops a crafted file from exhausting memory. */
    public record Argon2Settings(int memoryKiB, int iterations, int parallelism) {

        /** OWASP's minimum recommendation for Argon2id: 19 MiB, 2 passes, 1 lane (~150 ms here). */
        public static final Argon2Settings DEFAULT = new Argon2Settings(19_456, 2, 1);

        static final int MIN_MEMORY_KIB = 19_456;
        static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
        static final int MIN_ITERATIONS = 2;
        static final int MAX_ITERATIONS = 64;
        static final int MAX_PARALLELISM = 16;

        public Argon2Settings {
            if (!acceptable(memoryKiB, iterations, parallelism)) {
                throw new IllegalArgumentException("Argon2id settings outside m=[" + MIN_MEMORY_KIB + ","
                        + MAX_MEMORY_KIB + "] KiB, t=[" + MIN_ITERATIONS + "," + MAX_ITERATIONS + "], p=[1,"
                        + MAX_PARALLELISM + "]");
            }
        }

        static boolean acceptable(long memoryKiB, long iterations, long parallelism) {
            return memoryKiB >= MIN_MEMORY_KIB && memoryKiB <= MAX_MEMORY_KIB
                    && iterations >= MIN_ITERATIONS && iterations <= MAX_ITERATIONS
                    && parallelism >= 1 && parallelism <= MAX_PARALLELISM;
        }
    }

    private KeyAtRest() {
    }

    public static byte[] seal(PrivateKeyMaterial keys, char[] passphrase) {
        return seal(keys, passphrase, Argon2Settings.DEFAULT, RANDOM);
    }

    public static byte[] seal(PrivateKeyMaterial keys, char[] passphrase, Argon2Settings settings, SecureRandom random) {
        Objects.requireNonNull(keys, "keys");
        byte[] plaintext = keys.encode();
        try {
            return sealBytes(LABEL, plaintext, passphrase, settings, random);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Seals a small device-local secret other than keys (the CLI's refresh token) the same way,
     * under its own label, so neither kind can be opened as the other.
     */
    public static byte[] sealSecret(byte[] secret, char[] passphrase) {
        Objects.requireNonNull(secret, "secret");
        return sealBytes(SECRET_LABEL, secret, passphrase, Argon2Settings.DEFAULT, RANDOM);
    }

    /** Opens what {@link #sealSecret} produced; a wrong passphrase is a {@link WrongPassphraseException}. */
    public static byte[] openSecret(byte[] sealed, char[] passphrase) throws CryptoException {
        return openBytes(SECRET_LABEL, sealed, passphrase);
    }

    private static byte[] sealBytes(String label, byte[] plaintext, char[] passphrase, Argon2Settings settings,
            SecureRandom random) {
        Objects.requireNonNull(settings, "settings");
        if (passphrase == null || passphrase.length == 0) {
            throw new IllegalArgumentException("an empty passphrase protects nothing");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] header = header(label, settings.memoryKiB(), settings.iterations(), settings.parallelism(), salt, nonce);
        byte[] key = deriveKey(passphrase, salt, settings.memoryKiB(), settings.iterations(), settings.parallelism());
        try {
            byte[] ciphertext = AesGcm.seal(key, nonce, header, plaintext);
            return Canonical.continuing(header).field(ciphertext).toByteArray();
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Opens what {@link #seal} produced. A wrong passphrase is a {@link WrongPassphraseException};
     * GCM authenticates, so it can never yield wrong keys.
     */
    public static PrivateKeyMaterial open(byte[] sealed, char[] passphrase) throws CryptoException {
        byte[] plaintext = openBytes(LABEL, sealed, passphrase);
        try {
            return PrivateKeyMaterial.decode(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static byte[] openBytes(String label, byte[] sealed, char[] passphrase) throws CryptoException {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(passphrase, "passphrase");
        Canonical.Reader r = new Canonical.Reader(sealed);
        r.expectLabel(label);
        int kdf = r.u8();
        int argon2Version = r.u8();
        long memoryKiB = r.u32();
        long iterations = r.u32();
        long parallelism = r.u32();
        byte[] salt = r.field();
        int aead = r.u8();
        byte[] nonce = r.field();
        int headerEnd = r.position();
        byte[] ciphertext = r.field();
        r.expectEnd();
        if (kdf != KDF_ARGON2ID || argon2Version != Argon2Parameters.ARGON2_VERSION_13) {
            throw new MalformedDataException("unsupported key derivation " + kdf + "/" + argon2Version);
        }
        if (!Argon2Settings.acceptable(memoryKiB, iterations, parallelism)) {
            throw new MalformedDataException("Argon2id parameters out of the accepted range");
        }
        if (aead != AEAD_AES_256_GCM || salt.length != SALT_BYTES || nonce.length != AesGcm.NONCE_BYTES) {
            throw new MalformedDataException("unsupported encryption parameters");
        }
        byte[] header = Arrays.copyOfRange(sealed, 0, headerEnd);
        byte[] key = deriveKey(passphrase, salt, (int) memoryKiB, (int) iterations, (int) parallelism);
        try {
            return AesGcm.open(key, nonce, header, ciphertext);
        } catch (DecryptionException e) {
            throw new WrongPassphraseException("wrong passphrase, or the stored data was altered", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] header(String label, int memoryKiB, int iterations, int parallelism, byte[] salt,
            byte[] nonce) {
        return Canonical.label(label)
                .u8(KDF_ARGON2ID).u8(Argon2Parameters.ARGON2_VERSION_13)
                .u32(memoryKiB).u32(iterations).u32(parallelism)
                .field(salt)
                .u8(AEAD_AES_256_GCM).field(nonce)
                .toByteArray();
    }

    /**
     * Argon2id over UTF-8(NFC(passphrase)): normalising first means the same passphrase typed on
     * another keyboard or platform (composed vs decomposed accents) still opens the keys.
     */
    static byte[] deriveKey(char[] passphrase, byte[] salt, int memoryKiB, int iterations, int parallelism) {
        String normalized = Normalizer.normalize(CharBuffer.wrap(passphrase), Normalizer.Form.NFC);
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(normalized);
        byte[] password = new byte[encoded.remaining()];
        encoded.get(password);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] key = new byte[AesGcm.KEY_BYTES];
        try {
            generator.generateBytes(password, key);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        return key;
    }
}
