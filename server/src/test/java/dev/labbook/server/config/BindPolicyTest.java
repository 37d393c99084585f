package dev.labbook.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindPolicyTest {
    private static final AuthConfig OFF = AuthConfig.off();
    private static final AuthConfig ON = AuthConfig.tokens(Optional.empty());
    private static final AuthConfig OFF_BY_CONSENT = new AuthConfig(false, true, Optional.empty(),
            java.util.List.of(), "labbook", java.util.List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost"})
    void loopbackIsAllowedWithAuthOff(String host) {
        assertThat(BindPolicy.isLoopback(host)).isTrue();
        assertThatCode(() -> BindPolicy.check(host, OFF)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "[::]", "192.168.1.20", "10.0.0.5", "fe80::1", "2001:db8::7"})
    void nonLoopbackIsRefusedWithAuthOffAndTheErrorSaysWhyAndHowOut(String host) {
        assertThat(BindPolicy.isLoopback(host)).isFalse();
        assertThatThrownBy(() -> BindPolicy.check(host, OFF))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("refusing to serve on " + host + " (")
                .hasMessageContaining("with access control off")
                .hasMessageContaining("read, change and purge every project")
                .hasMessageContaining("--auth on")
                .hasMessageContaining("--insecure-no-auth");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.168.1.20"})
    void nonLoopbackIsAllowedWithAuthOnOrWithExplicitConsent(String host) {
        assertThatCode(() -> BindPolicy.check(host, ON)).doesNotThrowAnyException();
        assertThatCode(() -> BindPolicy.check(host, OFF_BY_CONSENT)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void aWildcardIsNamedAsEveryInterface(String host) {
        assertThatThrownBy(() -> BindPolicy.check(host, OFF)).hasMessageStartingWith(
                "refusing to serve on " + host + " (every network interface) with access control off");
    }

    @ParameterizedTest
    @ValueSource(strings = {"labbook-no-such-host.invalid"})
    void aNameThatDoesNotResolveIsRefusedClearlyWithAuthOff(String host) {
        assertThatThrownBy(() -> BindPolicy.check(host, OFF))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--host (LABBOOK_HOST) '" + host + "' does not resolve to an address");
        assertThatCode(() -> BindPolicy.check(host, ON)).doesNotThrowAnyException();
    }
}
