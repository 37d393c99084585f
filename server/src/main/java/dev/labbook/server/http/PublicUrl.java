package dev.labbook.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The web UI's base URL when none is configured: the HTTP port's own address. */
public final class PublicUrl {
    private PublicUrl() {
    }

    /**
     * {@code scheme://host:port}, with {@code localhost} for a wildcard ({@code 0.0.0.0},
     * {@code ::}) or loopback host: a wildcard is no address a browser can open, and the
     * machine's own browser reaches either through localhost.
     */
    public static String derive(String scheme, String host, int port) {
        return scheme + "://" + browsable(host) + ":" + port;
    }

    private static String browsable(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.isEmpty() || bare.equalsIgnoreCase("localhost")) {
            return "localhost";
        }
        if (isIpLiteral(bare)) {
            try {
                InetAddress address = InetAddress.getByName(bare);
                if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
                    return "localhost";
                }
            } catch (UnknownHostException e) {
                return host;
            }
            return bare.contains(":") ? "[" + bare + "]" : bare;
        }
        return bare;
    }

    /** An IPv4 or IPv6 literal, which InetAddress parses without a DNS lookup. */
    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }
}
