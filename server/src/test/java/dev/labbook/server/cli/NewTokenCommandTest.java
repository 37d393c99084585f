package dev.labbook.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.domain.access.TokenSecrets;
import org.junit.jupiter.api.Test;

class NewTokenCommandTest {

    @Test
    void printsANewValidSecretEachTime() {
        CliRun first = CliRun.of("new-token");
        CliRun second = CliRun.of("new-token");

        assertThat(first.exitCode()).isZero();
        assertThat(first.err()).isEmpty();
        String secret = first.out().strip();
        assertThat(TokenSecrets.looksLikeToken(secret)).as(secret).isTrue();
        assertThat(first.out()).isEqualTo(secret + System.lineSeparator());
        assertThat(second.out().strip()).isNotEqualTo(secret);
    }

    @Test
    void isListedInTheHelp() {
        assertThat(CliRun.of("--help").out()).containsPattern("(?m)^\\s+new-token\\s+Prints a new random API token");
        assertThat(CliRun.of("new-token", "--help").outUnwrapped()).contains("LABBOOK_BOOTSTRAP_TOKEN");
    }
}
