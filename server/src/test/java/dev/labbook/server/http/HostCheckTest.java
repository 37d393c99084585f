package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which Host names a local server without access control answers (DNS rebinding guard). */
class HostCheckTest {
    private final HostCheck local = HostCheck.of(false, "127.0.0.1", Optional.of("https://lab.example.com"));

    @Test
    void aLoopbackServerWithoutAuthAnswersOnlyItsOwnNames() {
        assertThat(local.allows("localhost:7880")).isTrue();
        assertThat(local.allows("127.0.0.1:7880")).isTrue();
        assertThat(local.allows("127.0.0.2")).isTrue();
        assertThat(local.allows("[::1]:7880")).isTrue();
        assertThat(local.allows("app.localhost:7880")).isTrue();
        assertThat(local.allows("LAB.example.com")).isTrue();
        assertThat(local.allows("lab.example.com.:443")).isTrue();

        assertThat(local.allows("rebind.attacker.example:7880")).isFalse();
        assertThat(local.allows("localhost.attacker.example")).isFalse();
        assertThat(local.allows("127.0.0.1.attacker.example")).isFalse();
        assertThat(local.allows("[::2]:7880")).isFalse();
    }

    @Test
    void withAuthOnOrAnOpenAddressEveryHostIsAnswered() {
        assertThat(HostCheck.of(true, "127.0.0.1", Optional.empty()).allows("anything.example")).isTrue();
        assertThat(HostCheck.of(false, "0.0.0.0", Optional.empty()).allows("anything.example")).isTrue();
    }
}
