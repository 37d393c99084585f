package dev.labbook.server.domain.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.domain.Param;
import dev.labbook.server.domain.ParamValue;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.SourceInfo;
import dev.labbook.server.domain.metric.MetricSummary;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunComparisonTest {

    private static RunWithMetrics run(Map<String, String> tags, List<Param> params, List<MetricSummary> metrics) {
        Instant now = Instant.now();
        Run run = new Run(UUID.randomUUID(), UUID.randomUUID(), "r", RunStatus.RUNNING, now, now, null, "", tags,
                null, new SourceInfo("", List.of(), "", false, "", ""), params, now, null, 0, 1, "");
        return new RunWithMetrics(run, metrics);
    }

    private static MetricSummary metric(String key, double last) {
        return new MetricSummary(key, last, 10, 0, last, last, 11);
    }

    @Test
    void rowsCoverTheUnionOfKeysAndFlagDifferences() {
        RunWithMetrics a = run(Map.of("team", "vision", "gpu", "a100"),
                List.of(new Param("epochs", new ParamValue.IntValue(10)), new Param("lr", new ParamValue.DoubleValue(0.1)),
                        new Param("opt", new ParamValue.StringValue("adam"))),
                List.of(metric("acc", 0.9), metric("loss", 0.1)));
        RunWithMetrics b = run(Map.of("team", "vision"),
                List.of(new Param("epochs", new ParamValue.IntValue(10)), new Param("lr", new ParamValue.DoubleValue(0.01)),
                        new Param("seed", new ParamValue.IntValue(1))),
                List.of(metric("acc", 0.9), metric("loss", 0.2)));

        RunComparison comparison = RunComparison.of(List.of(a, b));

        assertThat(comparison.params()).extracting(RunComparison.ParamRow::key)
                .containsExactly("epochs", "lr", "opt", "seed");
        assertThat(comparison.differingParamKeys()).containsExactly("lr", "opt", "seed");
        assertThat(comparison.params().get(2).values()).isEqualTo(Arrays.asList(new ParamValue.StringValue("adam"),
                null));
        assertThat(comparison.metrics()).extracting(RunComparison.MetricRow::key, RunComparison.MetricRow::differs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("acc", false),
                        org.assertj.core.groups.Tuple.tuple("loss", true));
        assertThat(comparison.differingTagKeys()).containsExactly("gpu");
    }

    @Test
    void sameTextOfAnotherTypeDiffers() {
        RunWithMetrics a = run(Map.of(), List.of(new Param("x", new ParamValue.IntValue(1))), List.of());
        RunWithMetrics b = run(Map.of(), List.of(new Param("x", new ParamValue.StringValue("1"))), List.of());
        assertThat(RunComparison.of(List.of(a, b)).differingParamKeys()).containsExactly("x");
    }
}
