package org.e2echat.client.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** AES-GCM with a 96-bit nonce and a 128-bit tag appended to the ciphertext (NIST SP 800-38D). */
final class AesGcm {

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private AesGcm() {
    }

    /** Returns ciphertext || tag. Any key length AES accepts, so the NIST vectors can drive it. */
    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        GCMModeCipher gcm = init(true, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        }
        return out;
    }

    /** Opens ciphertext || tag; a wrong key, nonce, AAD or any altered byte is a {@link DecryptionException}. */
    static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag) throws DecryptionException {
        if (ciphertextAndTag.length < TAG_BYTES) {
            throw new DecryptionException("ciphertext shorter than the GCM tag");
        }
        GCMModeCipher gcm = init(false, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(ciphertextAndTag.length)];
        int n = gcm.processBytes(ciphertextAndTag, 0, ciphertextAndTag.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new DecryptionException("authentication failed: wrong key, or the data or its context was altered", e);
        }
        return out;
    }

    private static GCMModeCipher init(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("GCM nonces here are 96 bits");
        }
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, aad));
        return gcm;
    }
}
