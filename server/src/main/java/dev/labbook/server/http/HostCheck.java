package dev.labbook.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import dev.labbook.server.config.BindPolicy;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Guards a loopback HTTP port without access control against DNS rebinding: a web page of
 * another site whose name the attacker re-points at 127.0.0.1 would otherwise be same-origin with
 * the API and could read and purge everything. Such requests carry the attacker's name in
 * {@code Host}; only this server's own names are answered (localhost, loopback addresses, the
 * listening host and the public URL's host).
 *
 * <p>Not needed with access control on (the session cookie is SameSite=Strict and the page has no
 * token) nor on a non-loopback address without it (the operator chose {@code --insecure-no-auth}:
 * anyone who reaches the port may do everything anyway).
 */
public final class HostCheck {
    /** Answers every Host. */
    public static final HostCheck ANY = new HostCheck(Optional.empty());

    private final Optional<Set<String>> allowed;

    private HostCheck(Optional<Set<String>> allowed) {
        this.allowed = allowed;
    }

    /**
     * @param authEnabled whether calls need credentials
     * @param bindHost the address the port listens on
     * @param publicUrl the UI's base URL as users reach it, if configured
     */
    public static HostCheck of(boolean authEnabled, String bindHost, Optional<String> publicUrl) {
        if (authEnabled || !BindPolicy.isLoopback(bindHost)) {
            return ANY;
        }
        Set<String> names = new TreeSet<>(Set.of("localhost", "127.0.0.1", "::1"));
        names.add(normalize(bindHost));
        publicUrl.map(url -> URI.create(url).getHost()).filter(h -> h != null).map(HostCheck::normalize)
                .ifPresent(names::add);
        return new HostCheck(Optional.of(names));
    }

    /** Whether a request with this Host header (name or address, optionally with a port) is answered. */
    public boolean allows(String hostHeader) {
        if (allowed.isEmpty()) {
            return true;
        }
        if (hostHeader == null || hostHeader.isEmpty()) {
            return true; // HTTP/1.0 clients and tools without Host are no browser page
        }
        String host = hostHeader.trim();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(1, end);
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
            host = host.substring(0, host.indexOf(':'));
        }
        String name = normalize(host);
        return allowed.get().contains(name) || name.matches("127(\\.[0-9]{1,3}){3}") || name.endsWith(".localhost");
    }

    DecoratingHttpServiceFunction decorator() {
        return (delegate, ctx, req) -> {
            String host = req.authority();
            if (!allows(host)) {
                return HttpResponse.of(HttpStatus.FORBIDDEN, MediaType.PLAIN_TEXT_UTF_8,
                        "Host '%s' is not a name of this server. A local Labbook without access control only "
                                + "answers localhost and its loopback addresses (protection against DNS rebinding); "
                                + "set --public-url to the name you use, or turn on --auth.",
                        host.replaceAll("[^\\x20-\\x7e]", "?"));
            }
            return delegate.serve(ctx, req);
        };
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
