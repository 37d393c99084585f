package dev.labbook.server.domain.access.jwt;

import dev.labbook.server.domain.access.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Principals of JWTs verified lately, by token, kept until {@code min(exp, verification + 60 s)}:
 * a client sends the same token on every call, and a signature check costs far more than a map
 * look-up. Bounded: when full, expired entries go, and if that is not enough, all of them.
 */
public final class VerifiedTokenCache {
    public static final Duration TTL = Duration.ofSeconds(60);
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxEntries;

    private record Entry(Principal principal, Instant until) {
    }

    public VerifiedTokenCache(Clock clock, int maxEntries) {
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    public Optional<Principal> get(String token) {
        Entry entry = entries.get(token);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(token, entry);
            return Optional.empty();
        }
        return Optional.of(entry.principal());
    }

    /** Keeps the principal until its expiry or for {@link #TTL}, whichever comes first. */
    public void put(String token, Principal principal) {
        Instant now = clock.instant();
        Instant until = now.plus(TTL);
        if (principal.expiresAt().isPresent() && principal.expiresAt().get().isBefore(until)) {
            until = principal.expiresAt().get();
        }
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> !now.isBefore(e.until()));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(token, new Entry(principal, until));
    }

    int size() {
        return entries.size();
    }
}
