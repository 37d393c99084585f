package dev.labbook.sdk.internal;

import dev.labbook.sdk.LogLine;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits log text to what the server stores: at most {@value #MAX_LINE_BYTES} UTF-8 bytes per line
 * and no NUL characters (the server refuses the whole append otherwise, losing every line sent
 * with it).
 */
public final class LogText {
    /** UTF-8 bytes of one stored line (the server's limit, docs/logs.md). */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private LogText() {
    }

    /**
     * The text as one or more lines that each fit, in order; NUL becomes U+FFFD and null becomes
     * empty. Pieces never split a surrogate pair.
     */
    public static List<String> split(String text) {
        String t = clean(text);
        if ((long) t.length() * 3 <= MAX_LINE_BYTES) {
            return List.of(t); // fits whatever the characters are
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < t.length();) {
            int cp = t.codePointAt(i);
            int n = utf8Bytes(cp);
            if (bytes + n > MAX_LINE_BYTES) {
                out.add(t.substring(start, i));
                start = i;
                bytes = 0;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        out.add(t.substring(start));
        return out;
    }

    /** The text cut to the first piece that fits (for one-to-one copies such as offline sync). */
    public static String truncate(String text) {
        return split(text).get(0);
    }

    private static String clean(String text) {
        if (text == null) {
            return "";
        }
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /** Bytes of a code point in UTF-8; a lone surrogate counts 3 (an upper bound). */
    private static int utf8Bytes(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** Lines per AppendLogLines call (the server's limit is 10,000). */
    public static final int LINES_PER_MESSAGE = 1000;
    /** Text per call, well under the default 16 MiB message limit. */
    public static final int BYTES_PER_MESSAGE = 4 * 1024 * 1024;

    /** The lines cut into messages of at most {@value #LINES_PER_MESSAGE} lines and about 4 MiB of text. */
    public static List<List<LogLine>> messages(List<LogLine> lines) {
        List<List<LogLine>> out = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < lines.size(); i++) {
            long b = (long) lines.get(i).text().length() * 3; // an upper bound of its UTF-8 size
            if (i > from && (i - from >= LINES_PER_MESSAGE || bytes + b > BYTES_PER_MESSAGE)) {
                out.add(lines.subList(from, i));
                from = i;
                bytes = 0;
            }
            bytes += b;
        }
        if (from < lines.size()) {
            out.add(lines.subList(from, lines.size()));
        }
        return out;
    }
}
