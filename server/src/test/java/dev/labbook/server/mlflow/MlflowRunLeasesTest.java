package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** The adapter renews a run's lease at the first write, then at most once a minute (a third of a short lease), in a bounded map. */
class MlflowRunLeasesTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void renewsAtTheFirstWriteThenOncePerMinutePerRun() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        List<String> renewed = new ArrayList<>();
        ToLongFunction<String> renew = id -> {
            renewed.add(id);
            return now.get() + 300_000;
        };
        leases.renewIfDue("a", renew);
        leases.renewIfDue("a", renew);
        leases.renewIfDue("b", renew);
        now.addAndGet(59_999);
        leases.renewIfDue("a", renew);
        now.addAndGet(1);
        leases.renewIfDue("a", renew);
        leases.renewIfDue("a", renew);
        assertThat(renewed).containsExactly("a", "b", "a");
    }

    @Test
    void aShortLeaseIsRenewedEveryThirdOfIt() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        List<Long> renewedAt = new ArrayList<>();
        ToLongFunction<String> renew = id -> {
            renewedAt.add(now.get());
            return now.get() + 9_000;
        };
        long start = now.get();
        for (int i = 0; i < 10; i++) {
            leases.renewIfDue("r", renew);
            now.addAndGet(1_000);
        }
        assertThat(renewedAt).containsExactly(start, start + 3_000, start + 6_000, start + 9_000);
    }

    @Test
    void aFailedRenewalIsRetriedAtTheNextWriteAndAFinishedRunWaitsAMinute() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        List<String> calls = new ArrayList<>();
        leases.renewIfDue("r", id -> {
            calls.add("failed");
            return -1;
        });
        leases.renewIfDue("r", id -> {
            calls.add("finished");
            return 0;
        });
        leases.renewIfDue("r", id -> {
            calls.add("too soon");
            return 0;
        });
        assertThat(calls).containsExactly("failed", "finished");
    }

    @Test
    void theMapStaysBounded() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        for (int i = 0; i < MlflowRunLeases.MAX_RUNS * 3; i++) {
            leases.renewIfDue("run-" + i, id -> 0);
        }
        assertThat(leases.size()).isLessThanOrEqualTo(MlflowRunLeases.MAX_RUNS);
    }
}
