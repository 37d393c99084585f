package dev.labbook.server.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdGeneratorTest {
    /** 2024-05-01T12:34:56.789Z */
    private static final long MILLIS = 1_714_566_896_789L;

    /** A clock whose time the test sets. */
    private static final class SettableClock extends Clock {
        volatile long millis;

        SettableClock(long millis) {
            this.millis = millis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private static IdGenerator fixedAt(long millis) {
        return new IdGenerator(Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    private static long timestampOf(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }

    /** The 12 bits after the version (rand_a in RFC 9562, here a counter). */
    private static int sequenceOf(UUID id) {
        return (int) (id.getMostSignificantBits() & 0xFFF);
    }

    /** Byte-wise unsigned order, as PostgreSQL compares uuid values. */
    private static int compareUnsigned(UUID a, UUID b) {
        int byMsb = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return byMsb != 0 ? byMsb : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    private static void assertStrictlyIncreasing(List<UUID> ids) {
        for (int i = 1; i < ids.size(); i++) {
            assertThat(compareUnsigned(ids.get(i), ids.get(i - 1))).as("id %d after id %d", i, i - 1).isPositive();
        }
    }

    @Test
    void makesVersion7Variant2Ids() {
        IdGenerator ids = fixedAt(MILLIS);
        for (int i = 0; i < 10_000; i++) {
            UUID id = ids.next();
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
        }
    }

    @Test
    void putsTheClockMillisInTheFirst48Bits() {
        UUID id = fixedAt(MILLIS).next();

        assertThat(timestampOf(id)).isEqualTo(MILLIS);
        // The canonical text starts with the 12 hex digits of the millis, then the version.
        assertThat(id.toString()).startsWith(String.format("%08x-%04x-7", MILLIS >>> 16, MILLIS & 0xFFFF));
    }

    @Test
    void encodesTheEpochAndTheLargest48BitTimestamp() {
        long max48 = (1L << 48) - 1;
        UUID atEpoch = fixedAt(0).next();
        UUID atMax = fixedAt(max48).next();

        assertThat(timestampOf(atEpoch)).isZero();
        assertThat(timestampOf(atMax)).isEqualTo(max48);
        assertThat(atMax.version()).isEqualTo(7);
        assertThat(atMax.variant()).isEqualTo(2);
    }

    @Test
    void readsTheClockForEveryId() {
        SettableClock clock = new SettableClock(MILLIS);
        IdGenerator ids = new IdGenerator(clock);

        UUID first = ids.next();
        clock.millis = MILLIS + 60_000;
        UUID second = ids.next();

        assertThat(timestampOf(first)).isEqualTo(MILLIS);
        assertThat(timestampOf(second)).isEqualTo(MILLIS + 60_000);
    }

    @Test
    void countsUpWithinOneMillisecond() {
        IdGenerator ids = fixedAt(MILLIS);
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            made.add(ids.next());
        }

        int start = sequenceOf(made.get(0));
        assertThat(start).as("starts in the lower half of the 12-bit range").isBetween(0, 2047);
        for (int i = 0; i < made.size(); i++) {
            assertThat(timestampOf(made.get(i))).isEqualTo(MILLIS);
            assertThat(sequenceOf(made.get(i))).isEqualTo(start + i);
        }
        assertStrictlyIncreasing(made);
    }

    @Test
    void startsEachMillisecondAtARandomSequence() {
        SettableClock clock = new SettableClock(MILLIS);
        IdGenerator ids = new IdGenerator(clock);
        Set<Integer> starts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            UUID id = ids.next();
            assertThat(timestampOf(id)).isEqualTo(clock.millis);
            starts.add(sequenceOf(id));
            clock.millis += 1;
        }

        assertThat(starts).allMatch(s -> s < 2048).hasSizeGreaterThan(100);
    }

    @Test
    void advancesTheTimestampWhenTheSequenceOverflows() {
        IdGenerator ids = fixedAt(MILLIS);
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            made.add(ids.next());
        }

        int firstOfNextMilli = 4096 - sequenceOf(made.get(0));
        UUID lastInMilli = made.get(firstOfNextMilli - 1);
        UUID overflowed = made.get(firstOfNextMilli);
        assertThat(timestampOf(lastInMilli)).isEqualTo(MILLIS);
        assertThat(sequenceOf(lastInMilli)).isEqualTo(4095);
        assertThat(timestampOf(overflowed)).isEqualTo(MILLIS + 1);
        assertThat(sequenceOf(overflowed)).isZero();
        assertStrictlyIncreasing(made);
    }

    @Test
    void staysIncreasingWhenTheClockGoesBackwards() {
        SettableClock clock = new SettableClock(MILLIS);
        IdGenerator ids = new IdGenerator(clock);

        UUID before = ids.next();
        clock.millis = MILLIS - 5_000;
        UUID after = ids.next();

        assertThat(timestampOf(after)).isEqualTo(MILLIS);
        assertThat(compareUnsigned(after, before)).isPositive();
    }

    @Test
    void fillsTheLowBitsWithRandomness() {
        IdGenerator ids = fixedAt(MILLIS);
        Set<Long> lsbs = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            lsbs.add(ids.next().getLeastSignificantBits());
        }

        assertThat(lsbs).hasSize(10_000);
    }

    @Test
    void idsFromLaterMillisecondsSortAfterEarlierOnesInDatabaseOrder() {
        SettableClock clock = new SettableClock(MILLIS);
        IdGenerator ids = new IdGenerator(clock);
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            made.add(ids.next());
            made.add(ids.next());
            clock.millis += 1;
        }
        List<UUID> shuffled = new ArrayList<>(made);
        Collections.shuffle(shuffled, new Random(7));

        shuffled.sort(IdGeneratorTest::compareUnsigned);

        assertThat(shuffled).isEqualTo(made);
    }

    @Test
    void javaUuidOrderAgreesWithDatabaseOrderForPresentDayTimestamps() {
        // UUID.compareTo compares signed longs. The msb stays non-negative while the millis fit in
        // 47 bits (until the year 6429), and the lsb always starts with the variant bits 10, so for
        // these ids signed (Java) and unsigned (PostgreSQL) order agree.
        SettableClock clock = new SettableClock(MILLIS);
        IdGenerator ids = new IdGenerator(clock);
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            made.add(ids.next());
            if (i % 3 == 0) {
                clock.millis += 1;
            }
        }

        assertThat(made).allMatch(id -> id.getMostSignificantBits() > 0 && id.getLeastSignificantBits() < 0);
        assertThat(made).isSorted();
        assertStrictlyIncreasing(made);
    }

    @Test
    void makesDistinctIncreasingIdsFromConcurrentThreads() throws Exception {
        IdGenerator ids = fixedAt(MILLIS);
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<UUID>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    List<UUID> mine = new ArrayList<>();
                    for (int i = 0; i < 2500; i++) {
                        mine.add(ids.next());
                    }
                    return mine;
                }));
            }
            for (Future<List<UUID>> result : results) {
                List<UUID> mine = result.get();
                assertStrictlyIncreasing(mine);
                seen.addAll(mine);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(seen).hasSize(10_000);
    }
}
