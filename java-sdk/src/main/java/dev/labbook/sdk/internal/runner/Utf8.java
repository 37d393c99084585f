package dev.labbook.sdk.internal.runner;

/** UTF-8 boundary arithmetic for cutting byte streams without splitting characters. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Length of the longest prefix of {@code bytes} that does not end inside a multi-byte
     * character. Invalid bytes count as complete (the decoder replaces them).
     */
    static int completePrefixLength(byte[] bytes) {
        int n = bytes.length;
        // A character is at most 4 bytes: look back at most 3 bytes for the start of the last one.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead byte
            }
            int needed = b >= 0xF8 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
