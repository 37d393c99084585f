package dev.labbook.server.domain.metric;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Opaque tokens of the metric reads: a version byte, the first 8 bytes of the SHA-256 of the
 * listing's arguments (so a token reused with other arguments is refused, as
 * {@link dev.labbook.server.domain.PageTokens} does) and a position. Positions are a key or
 * table name (ListMetrics, ListTables) or a {@link HistoryCursor} (GetMetricHistory).
 */
final class Tokens {
    private static final byte NAME = 1;
    private static final byte HISTORY = 2;
    private static final int HEADER = 1 + 8;

    private Tokens() {
    }

    /** A token to continue after {@code name} (a key or table name). */
    static String encodeName(String name, String fingerprint) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return encode(header(NAME, HEADER + utf8.length, fingerprint).put(utf8));
    }

    /** The name to continue after, or null for an empty token. */
    static String decodeName(String field, String token, String fingerprint) {
        ByteBuffer body = decode(field, token, NAME, fingerprint);
        if (body == null) {
            return null;
        }
        byte[] utf8 = new byte[body.remaining()];
        body.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    static String encodeHistory(HistoryCursor cursor, String fingerprint) {
        return encode(header(HISTORY, HEADER + 16, fingerprint).putLong(cursor.step()).putLong(cursor.tiesSent()));
    }

    /** The cursor, or null for an empty token. */
    static HistoryCursor decodeHistory(String field, String token, String fingerprint) {
        ByteBuffer body = decode(field, token, HISTORY, fingerprint);
        if (body == null) {
            return null;
        }
        if (body.remaining() != 16) {
            throw invalid(field, "is not a cursor returned by GetMetricHistory");
        }
        long step = body.getLong();
        long ties = body.getLong();
        if (ties < 1) {
            throw invalid(field, "is not a cursor returned by GetMetricHistory");
        }
        return new HistoryCursor(step, ties);
    }

    private static ByteBuffer header(byte kind, int length, String fingerprint) {
        return ByteBuffer.allocate(length).put(kind).putLong(digest(fingerprint));
    }

    private static String encode(ByteBuffer filled) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(filled.array());
    }

    private static ByteBuffer decode(String field, String token, byte kind, String fingerprint) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid(field, "is not a token returned by this call");
        }
        if (bytes.length < HEADER || bytes[0] != kind) {
            throw invalid(field, "is not a token returned by this call");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        if (buffer.getLong() != digest(fingerprint)) {
            throw invalid(field, "was issued for a call with other arguments");
        }
        return buffer.slice();
    }

    private static InvalidArgumentException invalid(String field, String message) {
        return new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, message);
    }

    /** First 8 bytes of SHA-256: collisions between two argument sets are practically impossible. */
    private static long digest(String fingerprint) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
