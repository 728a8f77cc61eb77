package org.e2echat.client.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Builder for the canonical byte strings that are signed, hashed or used as AAD/info.
 *
 * <p>Every such string starts with an ASCII label and a 0x00 byte so that no two kinds of
 * signed data can ever be confused; variable-length values are written as
 * {@code field(x) = uint16 BE length || x} so that concatenations are unambiguous; integers are
 * fixed-width big-endian.
 */
final class Canonical {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    private Canonical() {
    }

    /** Starts a byte string with {@code ASCII(label) || 0x00}. */
    static Canonical label(String label) {
        Canonical c = new Canonical();
        for (int i = 0; i < label.length(); i++) {
            char ch = label.charAt(i);
            if (ch == 0 || ch > 0x7e) {
                throw new IllegalArgumentException("labels are printable ASCII");
            }
            c.out.write(ch);
        }
        c.out.write(0);
        return c;
    }

    /** A byte string without a label, for values that are only ever used inside an already-labelled context. */
    static Canonical unlabelled() {
        return new Canonical();
    }

    /** Continues an already-built canonical prefix (e.g. a header that is also used as AAD). */
    static Canonical continuing(byte[] prefix) {
        Canonical c = new Canonical();
        c.out.write(prefix, 0, prefix.length);
        return c;
    }

    Canonical u8(int value) {
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException("uint8 out of range");
        }
        out.write(value);
        return this;
    }

    Canonical u32(long value) {
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException("uint32 out of range");
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift) & 0xff);
        }
        return this;
    }

    /** Java longs are signed; negative values are refused rather than silently read as huge unsigned ones. */
    Canonical u64(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("uint64 values here are never negative");
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift) & 0xff);
        }
        return this;
    }

    Canonical field(byte[] value) {
        if (value.length > 0xffff) {
            throw new IllegalArgumentException("field longer than 65535 bytes");
        }
        out.write(value.length >>> 8);
        out.write(value.length & 0xff);
        out.write(value, 0, value.length);
        return this;
    }

    Canonical field(String value) {
        return field(utf8(value));
    }

    /** Raw bytes without a length prefix, for fixed-size values or trailing content. */
    Canonical raw(byte[] value) {
        out.write(value, 0, value.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /**
     * Strict UTF-8: {@link String#getBytes} would silently turn a lone surrogate into '?', so two
     * different ids could encode to the same bytes. Refuse instead.
     */
    static byte[] utf8(String value) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid Unicode (lone surrogate)", e);
        }
    }

    /** Reads the same encodings back, for stored formats; every violation is a {@link MalformedDataException}. */
    static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        void expectLabel(String label) throws MalformedDataException {
            byte[] expected = Canonical.label(label).toByteArray();
            if (buf.length - pos < expected.length) {
                throw new MalformedDataException("not a " + label + " encoding");
            }
            for (int i = 0; i < expected.length; i++) {
                if (buf[pos + i] != expected[i]) {
                    throw new MalformedDataException("not a " + label + " encoding");
                }
            }
            pos += expected.length;
        }

        int u8() throws MalformedDataException {
            need(1);
            return buf[pos++] & 0xff;
        }

        long u32() throws MalformedDataException {
            need(4);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (buf[pos++] & 0xff);
            }
            return v;
        }

        byte[] field() throws MalformedDataException {
            need(2);
            int len = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
            pos += 2;
            need(len);
            byte[] v = new byte[len];
            System.arraycopy(buf, pos, v, 0, len);
            pos += len;
            return v;
        }

        String utf8Field() throws MalformedDataException {
            byte[] bytes = field();
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedDataException("field is not valid UTF-8", e);
            }
        }

        int position() {
            return pos;
        }

        void expectEnd() throws MalformedDataException {
            if (pos != buf.length) {
                throw new MalformedDataException("trailing bytes after the encoding");
            }
        }

        private void need(int n) throws MalformedDataException {
            if (buf.length - pos < n) {
                throw new MalformedDataException("truncated encoding");
            }
        }
    }
}
