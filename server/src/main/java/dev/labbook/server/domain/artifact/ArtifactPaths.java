package dev.labbook.server.domain.artifact;

import dev.labbook.server.domain.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Rules for artifact paths, the relative paths inside a run (`outputs/model.pt`). Paths are
 * only ever joined to server-made prefixes, and everything that could climb out of the run's
 * area — or be read differently by some store or client — is refused.
 */
public final class ArtifactPaths {
    public static final int MAX_PATH_BYTES = 1024;
    public static final int MAX_SEGMENT_BYTES = 255;
    private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");
    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

    private ArtifactPaths() {
    }

    public static String validate(String field, String path) {
        if (path == null || path.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new InvalidArgumentException(field, String.format(
                        "must not contain control characters (U+%04X at index %d)", (int) c, i));
            }
            // A lone surrogate (possible through an escape in the HTTP port's JSON, not through gRPC's UTF-8)
            // is written to S3 and PostgreSQL as '?': two different paths would share one key.
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < path.length()
                        && Character.isLowSurrogate(path.charAt(i + 1));
                if (!paired) {
                    throw new InvalidArgumentException(field, String.format(
                            "must be valid Unicode (unpaired surrogate U+%04X at index %d)", (int) c, i));
                }
                i++;
            }
        }
        if (path.indexOf('\\') >= 0) {
            throw new InvalidArgumentException(field, "must use '/' as separator, not '\\'");
        }
        if (path.startsWith("/") || path.startsWith("~")) {
            throw new InvalidArgumentException(field, "must be relative to the run (no leading '/' or '~')");
        }
        if (DRIVE_LETTER.matcher(path).matches()) {
            throw new InvalidArgumentException(field, "must not start with a drive letter");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidArgumentException(field, "must not contain empty segments ('//' or a trailing '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidArgumentException(field, "must not contain '.' or '..' segments");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw new InvalidArgumentException(field, "has a segment longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            String decoded = percentDecoded(segment);
            if (decoded.equals(".") || decoded.equals("..") || decoded.contains("/") || decoded.contains("\\")
                    || decoded.indexOf('\0') >= 0) {
                throw new InvalidArgumentException(field,
                        "must not contain URL-encoded separators or '.'/'..' segments");
            }
        }
        return path;
    }

    /** Decodes %XX escapes repeatedly (double encoding too), for the checks above only. */
    private static String percentDecoded(String segment) {
        String current = segment;
        for (int round = 0; round < 3 && PERCENT_ESCAPE.matcher(current).find(); round++) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < current.length(); i++) {
                char c = current.charAt(i);
                if (c == '%' && i + 2 < current.length()
                        && isHex(current.charAt(i + 1)) && isHex(current.charAt(i + 2))) {
                    out.append((char) Integer.parseInt(current.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.append(c);
                }
            }
            current = out.toString();
        }
        return current;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
