package dev.labbook.server.domain.access.jwt;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.access.UnauthenticatedException;
import java.time.Instant;

/**
 * The errors of a refused JWT: CREDENTIALS_INVALID with metadata {@code detail} (a short code
 * saying which check failed) or CREDENTIALS_EXPIRED with {@code expire_time_ms}. Messages name the
 * check, never the token.
 */
public final class JwtRejection {
    private JwtRejection() {
    }

    /**
     * @param detail what failed, e.g. {@code signature_invalid}, {@code issuer_unknown}
     * @param message for people, without the token
     */
    public static UnauthenticatedException invalid(String detail, String message) {
        UnauthenticatedException e = new UnauthenticatedException(ErrorReason.CREDENTIALS_INVALID,
                "JWT refused: " + message);
        e.with("detail", detail);
        return e;
    }

    public static UnauthenticatedException expired(Instant expiry) {
        UnauthenticatedException e = new UnauthenticatedException(ErrorReason.CREDENTIALS_EXPIRED,
                "JWT refused: expired at " + expiry);
        e.with("expire_time_ms", expiry.toEpochMilli());
        return e;
    }

    /** A value from the token (issuer, kid) made safe to show: printable, at most 100 characters. */
    static String shown(String value) {
        if (value == null) {
            return "(none)";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 100 ? printable : printable.substring(0, 100) + "...";
    }
}
