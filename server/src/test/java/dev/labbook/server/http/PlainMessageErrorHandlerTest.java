package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlainMessageErrorHandlerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "run_id: must be a UUID|run_id: must be a UUID",
        "run_id%3A must be a UUID|run_id: must be a UUID",
        "100%25 sure|100% sure",
        "caf%C3%A9 %E2%86%92 done|café → done",
        "a%0Ab|a\\nb",
        "50% off|50% off",
        "trailing %|trailing %",
        "bad %zz escape|bad %zz escape"})
    void decodesTheGrpcPercentEncoding(String wire, String plain) {
        assertThat(PlainMessageErrorHandler.percentDecode(wire)).isEqualTo(plain.replace("\\n", "\n"));
    }
}
