package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetTest {
    @Test
    void parsesTheThreeForms() {
        assertThat(Target.parse("example.org:1234")).isEqualTo(new Target("example.org", 1234, false));
        assertThat(Target.parse("grpc://example.org")).isEqualTo(new Target("example.org", 7800, false));
        assertThat(Target.parse("grpcs://example.org:443/")).isEqualTo(new Target("example.org", 443, true));
        assertThat(Target.parse("localhost")).isEqualTo(new Target("localhost", 7800, false));
        assertThat(Target.parse("[::1]:9")).isEqualTo(new Target("::1", 9, false));
        assertThat(Target.parse("grpcs://h:1").toString()).isEqualTo("grpcs://h:1");
    }

    @Test
    void refusesOtherSchemesAndPaths() {
        assertThatThrownBy(() -> Target.parse("http://h:1")).hasMessageContaining("scheme");
        assertThatThrownBy(() -> Target.parse("h:1/x")).hasMessageContaining("host");
        assertThatThrownBy(() -> Target.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Target.parse("h:70000")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backoffStaysWithinItsCap() {
        Backoff b = new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1));
        for (int attempt = 0; attempt < 30; attempt++) {
            long d = b.delayMillis(attempt);
            assertThat(d).isBetween(1L, 1000L);
        }
        assertThat(b.delayMillis(0)).isBetween(25L, 100L);
    }
}
