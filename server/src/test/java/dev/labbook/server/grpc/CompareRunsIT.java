package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CompareRunsRequest;
import dev.labbook.api.v1.CompareRunsResponse;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.MetricComparison;
import dev.labbook.api.v1.ParamComparison;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.Value;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.SearchFixtures;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabbookServerExtension.class)
class CompareRunsIT {

    private static CompareRunsResponse compare(TestServer server, String... ids) {
        return server.runs().compareRuns(CompareRunsRequest.newBuilder().addAllRunIds(java.util.List.of(ids)).build());
    }

    @Test
    void showsRunsSideBySideWithTheDifferingParams(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("compare");
        String a = f.run(exp, "a", Map.of("lr", 0.1, "epochs", 10, "opt", "adam"), Map.of("team", "vision"));
        String b = f.run(exp, "b", Map.of("lr", 0.01, "epochs", 10, "seed", 7), Map.of("team", "vision", "gpu", "a100"));
        f.metrics(a, Map.of("acc", new double[] {0.5, 0.9}, "loss", new double[] {0.3}));
        f.metrics(b, Map.of("acc", new double[] {0.9}));
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(b).build());

        CompareRunsResponse response = compare(server, b, a);

        assertThat(response.getRunsList()).extracting(Run::getName).containsExactly("b", "a");
        assertThat(response.getRuns(1).getMetricsList()).hasSize(2);
        assertThat(response.getDifferingParamKeysList()).containsExactly("lr", "opt", "seed");
        assertThat(response.getParamsList()).extracting(ParamComparison::getKey)
                .containsExactly("epochs", "lr", "opt", "seed");
        ParamComparison lr = response.getParams(1);
        assertThat(lr.getDiffers()).isTrue();
        assertThat(lr.getValuesList()).extracting(Value::getDoubleValue).containsExactly(0.01, 0.1);
        ParamComparison epochs = response.getParams(0);
        assertThat(epochs.getDiffers()).isFalse();
        assertThat(epochs.getValuesList()).extracting(Value::getIntValue).containsExactly(10L, 10L);
        ParamComparison opt = response.getParams(2);
        assertThat(opt.getValues(0).getKindCase()).isEqualTo(Value.KindCase.KIND_NOT_SET);
        assertThat(opt.getValues(1).getStringValue()).isEqualTo("adam");

        assertThat(response.getMetricsList()).extracting(MetricComparison::getKey, MetricComparison::getDiffers)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("acc", false),
                        org.assertj.core.groups.Tuple.tuple("loss", true));
        MetricComparison loss = response.getMetrics(1);
        assertThat(loss.getSummaries(0).getCount()).isZero();
        assertThat(loss.getSummaries(1).getLastValue()).isEqualTo(0.3);
        assertThat(response.getDifferingTagKeysList()).containsExactly("gpu");
    }

    @Test
    void rejectsTooFewRepeatedMalformedOrUnknownIds(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("compare-errors");
        String a = f.run(exp, "a", Map.of(), Map.of());
        assertInvalidField("run_ids", () -> compare(server, a));
        assertInvalidField("run_ids", () -> compare(server, a, a));
        assertInvalidField("run_ids[1]", () -> compare(server, a, "x"));
        var missing = assertStatus(Code.NOT_FOUND, () -> compare(server, a, UUID.randomUUID().toString()));
        assertThat(missing.getStatus().getDescription()).startsWith("run ");
    }
}
