package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublicUrlTest {
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, http://localhost:7880",
        "::, http://localhost:7880",
        "[::], http://localhost:7880",
        "127.0.0.1, http://localhost:7880",
        "127.1.2.3, http://localhost:7880",
        "::1, http://localhost:7880",
        "localhost, http://localhost:7880",
        "LOCALHOST, http://localhost:7880",
        "10.0.0.5, http://10.0.0.5:7880",
        "fd00::5, http://[fd00::5]:7880",
        "labbook.internal, http://labbook.internal:7880"})
    void aWildcardOrLoopbackHostIsLocalhost(String host, String url) {
        assertThat(PublicUrl.derive("http", host, 7880)).isEqualTo(url);
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0, https://localhost:8443", "10.0.0.5, https://10.0.0.5:8443"})
    void keepsTheScheme(String host, String url) {
        assertThat(PublicUrl.derive("https", host, 8443)).isEqualTo(url);
    }
}
