package dev.labbook.server.http;

import java.time.Duration;
import java.util.Optional;

/**
 * The web UI's session cookie, {@value #NAME}: it holds the API token (or JWT) the user entered,
 * {@code HttpOnly} (no script reads it back) and {@code SameSite=Strict} (no other site's page
 * makes the browser send it). This class writes its {@code Set-Cookie} forms and reads it back
 * out of {@code Cookie} headers, as the access interceptor does with the {@code cookie} metadata
 * of a call on the HTTP port.
 */
public final class SessionCookie {
    /** Same as {@code CallerContext.SESSION_COOKIE}. */
    public static final String NAME = "labbook_session";

    private SessionCookie() {
    }

    /**
     * Whether {@code value} can be a cookie value as it is (RFC 6265 cookie-octets: printable
     * ASCII without space, {@code "}, {@code ,}, {@code ;} and {@code \}). API tokens
     * ({@code lbk_} and base62) and JWTs (base64url and dots) always can.
     */
    static boolean storable(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** {@code Set-Cookie} of a session holding {@code credential}, kept for {@code maxAge}. */
    static String set(String credential, Duration maxAge, boolean secure) {
        if (!storable(credential)) {
            throw new IllegalArgumentException("not a cookie value");
        }
        return NAME + "=" + credential + attributes(Math.max(1, maxAge.toSeconds()), secure);
    }

    /** {@code Set-Cookie} that makes the browser forget the session. */
    static String clear(boolean secure) {
        return NAME + "=" + attributes(0, secure);
    }

    private static String attributes(long maxAgeSeconds, boolean secure) {
        return "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /**
     * The session's credential in the request's {@code Cookie} headers (one or several: HTTP/2
     * clients may send each cookie in a header of its own), or empty. With several
     * {@value #NAME} cookies (e.g. one of a parent path set by something else) the first wins,
     * as browsers list the most specific path first.
     */
    public static Optional<String> credential(Iterable<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return Optional.empty();
        }
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equals(NAME)) {
                    String value = pair.substring(eq + 1).strip();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (!value.isEmpty()) {
                        return Optional.of(value);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
