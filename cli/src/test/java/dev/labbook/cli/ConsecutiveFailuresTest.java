package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The reconnect limit of {@code logs -f}: failures in a row, not over the whole follow. */
class ConsecutiveFailuresTest {
    @Test
    void onlyFailuresInARowCountTowardTheLimit() {
        ConsecutiveFailures failures = new ConsecutiveFailures(3);
        for (int restart = 0; restart < 100; restart++) {
            assertThat(failures.allowAnother()).as("restart %d", restart).isTrue();
            failures.progressed();
        }
        assertThat(failures.allowAnother()).isTrue();
        assertThat(failures.allowAnother()).isTrue();
        assertThat(failures.allowAnother()).isTrue();
        assertThat(failures.allowAnother()).isFalse();
    }
}
