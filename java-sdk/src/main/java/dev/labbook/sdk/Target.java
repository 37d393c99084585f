package dev.labbook.sdk;

import dev.labbook.sdk.internal.Endpoint;
import java.net.URI;
import java.util.Locale;

/**
 * A server address as written in {@code LABBOOK_TRACKING_URI} or on a command line:
 * {@code host:port}, {@code grpc://host:port} (plaintext) or {@code grpcs://host:port} (TLS).
 * The port defaults to {@value #DEFAULT_PORT}.
 */
public record Target(String host, int port, boolean tls) {
    public static final int DEFAULT_PORT = 7800;

    public Target {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("target: host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("target: port " + port + " is outside 1-65535");
        }
    }

    public static Target parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("target: empty; expected host:port, grpc://host:port or grpcs://host:port");
        }
        String t = text.strip();
        boolean tls = false;
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("grpcs://")) {
            tls = true;
            t = t.substring("grpcs://".length());
        } else if (lower.startsWith("grpc://")) {
            t = t.substring("grpc://".length());
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw new IllegalArgumentException("target '" + text + "': scheme " + lower.substring(0, lower.indexOf("://") + 3)
                    + " is HTTP, but the SDKs speak gRPC: use host:port, "
                    + "grpc://host:port or grpcs://host:port (TLS), with the server's gRPC port (default " + DEFAULT_PORT
                    + "; " + Endpoint.UI_PORT + " is the web UI's HTTP port)");
        } else if (lower.contains("://")) {
            throw new IllegalArgumentException("target '" + text + "': unknown scheme " + lower.substring(0,
                    lower.indexOf("://") + 3) + "; use host:port, grpc://host:port or grpcs://host:port (TLS)");
        }
        if (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.isEmpty() || t.contains("/")) {
            throw new IllegalArgumentException("target: expected host[:port], got '" + text + "'");
        }
        URI uri;
        try {
            uri = URI.create("grpc://" + t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target: cannot parse '" + text + "'", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("target: cannot parse host of '" + text + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Target(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), tls);
    }

    @Override
    public String toString() {
        return (tls ? "grpcs://" : "") + render(host, port);
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    public static String render(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
