package dev.labbook.server.domain;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Makes UUIDv7 ids (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, then random
 * bits. Time-ordered ids keep primary-key indexes append-mostly and let listings page "newest
 * first" by id alone. Within one millisecond the 12-bit field counts up from a random start
 * (RFC 9562 method 1), so ids from one server are strictly increasing even when several are
 * made in the same millisecond; on overflow the timestamp is advanced by one.
 */
public final class IdGenerator {
    private static final int SEQUENCE_BITS = 12;
    private static final int SEQUENCE_MAX = (1 << SEQUENCE_BITS) - 1;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private long lastMillis = -1;
    private int sequence;

    public IdGenerator(Clock clock) {
        this.clock = clock;
    }

    public synchronized UUID next() {
        long millis = clock.millis();
        if (millis > lastMillis) {
            lastMillis = millis;
            // Start low in the range so that many ids fit into one millisecond.
            sequence = random.nextInt(1 << (SEQUENCE_BITS - 1));
        } else if (sequence < SEQUENCE_MAX) {
            sequence++;
        } else {
            lastMillis++;
            sequence = 0;
        }
        long msb = (lastMillis << 16) | (0x7L << 12) | sequence;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
