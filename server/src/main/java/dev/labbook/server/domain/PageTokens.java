package dev.labbook.server.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page tokens for id-ordered (keyset) listings. A token holds the last id of the page
 * and a fingerprint of the listing's arguments, so a token is refused when reused with other
 * arguments instead of silently returning a wrong page.
 */
public final class PageTokens {
    private static final byte VERSION = 1;
    private static final int LENGTH = 1 + 16 + 8;

    private PageTokens() {
    }

    public static String encode(UUID lastId, String listingFingerprint) {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
        buffer.put(VERSION);
        buffer.putLong(lastId.getMostSignificantBits());
        buffer.putLong(lastId.getLeastSignificantBits());
        buffer.putLong(digest(listingFingerprint));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** A token for offset-paged listings (a position such as a row index). */
    public static String encodePosition(long position, String listingFingerprint) {
        return encode(new UUID(0, position), listingFingerprint);
    }

    /** The position of a token from {@link #encodePosition}; 0 for an empty token. */
    public static long decodePosition(String field, String token, String listingFingerprint) {
        UUID decoded = decode(field, token, listingFingerprint);
        if (decoded == null) {
            return 0;
        }
        if (decoded.getMostSignificantBits() != 0 || decoded.getLeastSignificantBits() < 0) {
            throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, "is not a token returned by this listing");
        }
        return decoded.getLeastSignificantBits();
    }

    /** First 8 bytes of SHA-256: collisions between two listings are practically impossible. */
    private static long digest(String listingFingerprint) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(listingFingerprint.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Returns the last id of the previous page, or null for an empty token. */
    public static UUID decode(String field, String token, String listingFingerprint) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, "is not a token returned by this listing");
        }
        if (bytes.length != LENGTH || bytes[0] != VERSION) {
            throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, "is not a token returned by this listing");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, LENGTH - 1);
        UUID lastId = new UUID(buffer.getLong(), buffer.getLong());
        if (buffer.getLong() != digest(listingFingerprint)) {
            throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, "was issued for a listing with other arguments");
        }
        return lastId;
    }
}
