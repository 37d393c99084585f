package dev.labbook.server.testing;

/**
 * Turns a fuzzer's bytes into a Java string. The bytes are read as UTF-8, except that a
 * three-byte sequence may also encode a lone surrogate (U+D800..U+DFFF), which strict UTF-8
 * forbids: strings reach the domain not only from gRPC (valid UTF-8) but also from the HTTP
 * port's JSON, where {@code "\ud800"} is a legal escape. Anything malformed becomes U+FFFD.
 * So seed inputs stay readable text files and the fuzzer can still reach every {@code char}.
 */
public final class FuzzText {
    private FuzzText() {
    }

    public static String decode(byte[] bytes, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                out.append((char) b);
                i++;
            } else if ((b & 0xE0) == 0xC0 && i + 1 < to && continuation(bytes[i + 1])) {
                int c = ((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
                out.append(c < 0x80 ? '\uFFFD' : (char) c);
                i += 2;
            } else if ((b & 0xF0) == 0xE0 && i + 2 < to && continuation(bytes[i + 1]) && continuation(bytes[i + 2])) {
                int c = ((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
                out.append(c < 0x800 ? '\uFFFD' : (char) c);
                i += 3;
            } else if ((b & 0xF8) == 0xF0 && i + 3 < to && continuation(bytes[i + 1]) && continuation(bytes[i + 2])
                    && continuation(bytes[i + 3])) {
                int c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6)
                        | (bytes[i + 3] & 0x3F);
                if (c >= 0x10000 && c <= Character.MAX_CODE_POINT) {
                    out.appendCodePoint(c);
                } else {
                    out.append('\uFFFD');
                }
                i += 4;
            } else {
                out.append('\uFFFD');
                i++;
            }
        }
        return out.toString();
    }

    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
