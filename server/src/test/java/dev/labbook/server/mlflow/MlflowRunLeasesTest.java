package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The adapter renews a run's lease at most once per minute per run, in a bounded map. */
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
    void renewsOncePerMinutePerRun() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        List<String> renewed = new ArrayList<>();
        leases.renewIfDue("a", renewed::add);
        leases.renewIfDue("a", renewed::add);
        leases.renewIfDue("b", renewed::add);
        now.addAndGet(59_999);
        leases.renewIfDue("a", renewed::add);
        now.addAndGet(1);
        leases.renewIfDue("a", renewed::add);
        leases.renewIfDue("a", renewed::add);
        assertThat(renewed).containsExactly("a", "b", "a");
    }

    @Test
    void aCreatedRunNeedsNoRenewalInItsFirstMinute() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        List<String> renewed = new ArrayList<>();
        leases.created("r");
        leases.renewIfDue("r", renewed::add);
        now.addAndGet(MlflowRunLeases.INTERVAL_MS);
        leases.renewIfDue("r", renewed::add);
        assertThat(renewed).containsExactly("r");
    }

    @Test
    void theMapStaysBounded() {
        MlflowRunLeases leases = new MlflowRunLeases(null, clock);
        for (int i = 0; i < MlflowRunLeases.MAX_RUNS * 3; i++) {
            leases.renewIfDue("run-" + i, id -> { });
        }
        assertThat(leases.size()).isLessThanOrEqualTo(MlflowRunLeases.MAX_RUNS);
    }
}
