package dev.labbook.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Refuses to serve on an address other machines can reach while access control is off: with
 * {@code --auth off} whoever reaches a port can read, change and purge every project. Loopback
 * addresses (127.0.0.0/8, ::1, names that resolve only to them) are always allowed; anything
 * else (a wildcard such as 0.0.0.0 or ::, a LAN address, a name resolving to one) needs
 * {@code --auth on} or an explicit {@code --insecure-no-auth}.
 */
public final class BindPolicy {
    private BindPolicy() {
    }

    /** @throws ConfigException when {@code host} is not loopback and access control is off without consent */
    public static void check(String host, AuthConfig auth) {
        if (auth.enabled() || auth.insecureNoAuth() || isLoopback(host)) {
            return;
        }
        throw new ConfigException("refusing to serve on " + describe(host) + " with access control off: anyone "
                + "who can reach the ports could read, change and purge every project. Turn access control on "
                + "with --auth on (LABBOOK_AUTH=on), listen on a loopback address (--host 127.0.0.1, the default), "
                + "or, on a network where everyone who can connect may do everything, add --insecure-no-auth "
                + "(LABBOOK_INSECURE_NO_AUTH=true)");
    }

    /**
     * Whether every address {@code host} stands for is a loopback address. A name is resolved as
     * the ports will resolve it; one that does not resolve is refused here (the bind would fail).
     */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            throw new ConfigException("--host (LABBOOK_HOST) '" + host + "' does not resolve to an address");
        }
    }

    private static String describe(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            if (Arrays.stream(addresses).anyMatch(InetAddress::isAnyLocalAddress)) {
                return host + " (every network interface)";
            }
            boolean literal = host.contains(":") || host.matches("[0-9.]+");
            return host + (literal ? " (not a loopback address)" : " (resolves to " + String.join(", ",
                    Arrays.stream(addresses).map(InetAddress::getHostAddress).toList()) + ")");
        } catch (UnknownHostException e) {
            return host;
        }
    }
}
