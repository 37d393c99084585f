package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The defaults read from the environment. */
class LabbookOptionsTest {
    @Test
    void theSpoolWindowComesFromLabbookSpoolAfterSeconds() {
        assertThat(LabbookOptions.defaults(Map.of()).spoolAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(LabbookOptions.defaults(Map.of("LABBOOK_SPOOL_AFTER_SECONDS", "2.5")).spoolAfter())
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(LabbookOptions.defaults(Map.of("LABBOOK_SPOOL_AFTER_SECONDS", "0")).spoolAfter())
                .isEqualTo(Duration.ZERO);
        assertThat(LabbookOptions.defaults(Map.of("LABBOOK_SPOOL_AFTER_SECONDS", "soon")).spoolAfter())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(LabbookOptions.defaults(Map.of("LABBOOK_SPOOL_AFTER_SECONDS", "-1")).spoolAfter())
                .isEqualTo(Duration.ofSeconds(10));
    }
}
