package dev.labbook.server.domain;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page tokens for id-ordered (keyset) listings. A token holds the last id of the page
 * and a fingerprint of the listing's arguments, so a token is refused when reused with other
 * arguments instead of silently returning a wrong page.
 */
public final class PageTokens {
    private static final byte VERSION = 1;

    private PageTokens() {
    }

    public static String encode(UUID lastId, String listingFingerprint) {
        ByteBuffer buffer = ByteBuffer.allocate(1 + 16 + 4);
        buffer.put(VERSION);
        buffer.putLong(lastId.getMostSignificantBits());
        buffer.putLong(lastId.getLeastSignificantBits());
        buffer.putInt(listingFingerprint.hashCode());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
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
            throw new InvalidArgumentException(field, "is not a token returned by this listing");
        }
        if (bytes.length != 21 || bytes[0] != VERSION) {
            throw new InvalidArgumentException(field, "is not a token returned by this listing");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, 20);
        UUID lastId = new UUID(buffer.getLong(), buffer.getLong());
        if (buffer.getInt() != listingFingerprint.hashCode()) {
            throw new InvalidArgumentException(field, "was issued for a listing with other arguments");
        }
        return lastId;
    }
}
