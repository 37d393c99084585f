package dev.labbook.server.domain.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SubmitSpecChecksTest {

    private static SubmitSpec spec(String script, String cpu, String memory) {
        return new SubmitSpec("gpu", script, List.of(), "snapshot/source.tar.gz", "", List.of(), Map.of(), cpu,
                memory, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2", "500m", "0.5", ".5", "4Gi", "512Mi", "1e3", "1.5G", "100k", "0"})
    void acceptsKubernetesQuantities(String quantity) {
        SubmitSpec checked = SubmitSpecChecks.check(spec("train.py", quantity, " " + quantity + " "));

        assertThat(checked.cpu()).isEqualTo(quantity);
        assertThat(checked.memory()).as("trimmed").isEqualTo(quantity);
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "-1", "4GB", "1 Gi", "500 m", "1.2.3", "Gi", "0x10", "1e"})
    void refusesWhatKubernetesWouldNotParse(String quantity) {
        assertThatThrownBy(() -> SubmitSpecChecks.check(spec("train.py", quantity, "")))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).isEqualTo("spec.resources.cpu"))
                .hasMessageContaining("Kubernetes quantity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../train.py", "src/../../train.py", "/train.py", "C:\\train.py", "src\\..\\x.py",
            "\\\\host\\share\\x.py", " "})
    void refusesScriptsOutsideTheSourceDirectory(String script) {
        assertThatThrownBy(() -> SubmitSpecChecks.check(spec(script, "", "")))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).isEqualTo("spec.script"));
    }

    @Test
    void keepsScriptsAndArgumentsAsGiven() {
        SubmitSpec given = new SubmitSpec(" gpu ", "src/my train.py", List.of(" spaced ", "", "--x=1"),
                "snapshot/source.tar.gz", " img:1 ", List.of("numpy==2.1"), Map.of("_A1", " v "), "", "", 1);

        SubmitSpec checked = SubmitSpecChecks.check(given);

        assertThat(checked).isEqualTo(new SubmitSpec("gpu", "src/my train.py", List.of(" spaced ", "", "--x=1"),
                "snapshot/source.tar.gz", "img:1", List.of("numpy==2.1"), Map.of("_A1", " v "), "", "", 1));
    }

    @Test
    void namesTheVariableAndTheArgumentAtFault() {
        SubmitSpec variable = new SubmitSpec("gpu", "t.py", List.of(), "s.tgz", "", List.of(),
                Map.of("OK", "1", "LABBOOK_TOKEN_FILE", "/x"), "", "", 0);
        SubmitSpec argument = new SubmitSpec("gpu", "t.py", List.of("a", "b\0c"), "s.tgz", "", List.of(), Map.of(),
                "", "", 0);

        assertThatThrownBy(() -> SubmitSpecChecks.check(variable)).hasMessageStartingWith(
                "spec.environment.variables[LABBOOK_TOKEN_FILE]: ");
        assertThatThrownBy(() -> SubmitSpecChecks.check(argument)).hasMessageStartingWith("spec.arguments[1]: ");
    }
}
