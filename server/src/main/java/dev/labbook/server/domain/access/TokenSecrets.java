package dev.labbook.server.domain.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The form of API token secrets, as GitHub's: {@code lbk_}, {@value #RANDOM_LENGTH} random base62
 * characters (190 bits), and a {@value #CHECKSUM_LENGTH}-character base62 CRC32 of everything
 * before it. The prefix lets secret scanners find leaked tokens, the checksum lets them (and the
 * server, without a database query) tell a token from a random string of the same shape. Only
 * {@link #hash} of a secret is ever stored.
 */
public final class TokenSecrets {
    public static final String PREFIX = "lbk_";
    public static final int RANDOM_LENGTH = 32;
    public static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;
    /** How much of a secret listings show: {@code lbk_} and 4 more characters. */
    public static final int DISPLAY_PREFIX_LENGTH = PREFIX.length() + 4;

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    /** A new secret. */
    public static String generate() {
        StringBuilder secret = new StringBuilder(LENGTH).append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            secret.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
        }
        return secret.append(checksum(secret)).toString();
    }

    /** Whether the credential claims to be an API token (starts with {@value #PREFIX}), valid or not. */
    public static boolean hasPrefix(String credential) {
        return credential.startsWith(PREFIX);
    }

    /** Whether the text has the form of a secret: prefix, length, alphabet and checksum. */
    public static boolean looksLikeToken(String text) {
        if (text == null || text.length() != LENGTH || !text.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (BASE62.indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        int body = LENGTH - CHECKSUM_LENGTH;
        return checksum(text.subSequence(0, body)).equals(text.substring(body));
    }

    /** SHA-256 of the whole secret (UTF-8), what the database keeps. */
    public static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** The start of the secret that listings show. */
    public static String displayPrefix(String secret) {
        return secret.substring(0, Math.min(DISPLAY_PREFIX_LENGTH, secret.length()));
    }

    /** CRC32 of the text in base62, left-padded with '0' ({@code 62^6 > 2^32}: always fits). */
    static String checksum(CharSequence text) {
        CRC32 crc = new CRC32();
        crc.update(text.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(digits);
    }
}
