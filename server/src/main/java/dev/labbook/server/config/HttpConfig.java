package dev.labbook.server.config;

import java.util.Optional;

/**
 * The HTTP port: the web UI and the API for browsers and curl (see docs/configuration.md).
 *
 * @param enabled whether the server listens for HTTP at all
 * @param port the port when enabled; 0 there picks a free port (what embedded test servers use;
 *     the {@code --http-port 0} setting turns the port off instead)
 * @param publicUrl the UI's base URL as users reach it, without a trailing slash; empty: derived
 *     from the host and the port the server listens on
 * @param limits connections, idle time, request size and time on the port
 */
public record HttpConfig(boolean enabled, int port, Optional<String> publicUrl, HttpLimits limits) {
    public HttpConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("HTTP port out of range: " + port);
        }
    }

    /** With the default limits. */
    public HttpConfig(boolean enabled, int port, Optional<String> publicUrl) {
        this(enabled, port, publicUrl, HttpLimits.defaults());
    }

    /** No HTTP port, no public URL: what embedded servers get unless they ask. */
    public static HttpConfig off() {
        return new HttpConfig(false, 0, Optional.empty());
    }

    /** Listening on {@code port} (0: a free one), with the derived public URL. */
    public static HttpConfig on(int port) {
        return new HttpConfig(true, port, Optional.empty());
    }

    public HttpConfig withPublicUrl(String url) {
        return new HttpConfig(enabled, port, Optional.of(url), limits);
    }

    public HttpConfig withLimits(HttpLimits newLimits) {
        return new HttpConfig(enabled, port, publicUrl, newLimits);
    }
}
