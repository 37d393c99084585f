package dev.labbook.server.domain.search;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Page tokens of SearchRuns: the cursor (sort values and last id of the page), how many runs
 * the search has returned so far (for {@code max_results}) and a digest of the search's
 * arguments, signed with HMAC-SHA256 under a key every replica shares (stored in the database,
 * table server_secret). A token whose bytes were changed fails the signature; a genuine token
 * reused with another filter, order, scope or lifecycle fails the digest. Both are
 * INVALID_ARGUMENT. Tokens are not encrypted: their content is not secret, only unforgeable.
 */
public final class SearchTokens {
    public static final int KEY_BYTES = 32;
    private static final byte VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final byte NULL = 0;
    private static final byte DOUBLE = 1;
    private static final byte STRING = 2;
    private static final byte LONG = 3;

    private final SecretKeySpec key;

    public SearchTokens(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("the page token key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** A fresh random key, for the first server that starts on an empty database. */
    public static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** What a token carries: where the previous page ended and how many runs were returned. */
    public record Position(SearchCursor cursor, long returned) {
    }

    public String encode(Position position, String fingerprint) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(digest(fingerprint));
            out.writeLong(position.returned());
            UUID id = position.cursor().lastId();
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
            List<Object> values = position.cursor().sortValues();
            out.writeShort(values.size());
            for (Object value : values) {
                if (value == null) {
                    out.writeByte(NULL);
                } else if (value instanceof Double d) {
                    out.writeByte(DOUBLE);
                    out.writeDouble(d);
                } else if (value instanceof Long l) {
                    out.writeByte(LONG);
                    out.writeLong(l);
                } else {
                    byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
                    out.writeByte(STRING);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(payload), 0, token, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** The position in a token, or null for an empty token (the first page). */
    public Position decode(String field, String token, String fingerprint) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw forged(field);
        }
        if (bytes.length <= MAC_BYTES) {
            throw forged(field);
        }
        byte[] payload = Arrays.copyOf(bytes, bytes.length - MAC_BYTES);
        byte[] mac = Arrays.copyOfRange(bytes, payload.length, bytes.length);
        if (!MessageDigest.isEqual(mac, Arrays.copyOf(mac(payload), MAC_BYTES))) {
            throw forged(field);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            if (in.get() != VERSION) {
                throw forged(field);
            }
            if (in.getLong() != digest(fingerprint)) {
                throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field,
                        "was issued for a search with another filter, order, scope or lifecycle");
            }
            long returned = in.getLong();
            UUID lastId = new UUID(in.getLong(), in.getLong());
            int count = in.getShort();
            List<Object> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte type = in.get();
                switch (type) {
                    case NULL -> values.add(null);
                    case DOUBLE -> values.add(in.getDouble());
                    case LONG -> values.add(in.getLong());
                    case STRING -> {
                        int length = in.getInt();
                        if (length < 0 || length > in.remaining()) {
                            throw forged(field); // before allocating: a length is no reason to take 2 GiB
                        }
                        byte[] utf8 = new byte[length];
                        in.get(utf8);
                        values.add(new String(utf8, StandardCharsets.UTF_8));
                    }
                    default -> throw forged(field);
                }
            }
            if (in.hasRemaining()) {
                throw forged(field);
            }
            return new Position(new SearchCursor(values, lastId), returned);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // Only reachable with a valid signature over a malformed payload, i.e. a bug.
            throw forged(field);
        }
    }

    private static InvalidArgumentException forged(String field) {
        return new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, field, "is not a page token issued by this server for SearchRuns "
                + "(it was altered or truncated)");
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    private static long digest(String fingerprint) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash, 0, 8).getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
