package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.MetricBatch;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogBatchBodyTest {
    private static final MlflowCaller CALLER =
            new MlflowCaller(Optional.empty(), new InetSocketAddress("127.0.0.1", 1), "default");

    private static LogBatchBody read(String json) {
        return LogBatchBody.of(new MlflowRequest(CALLER, MlflowApi.JSON.createObjectNode(),
                json.getBytes(StandardCharsets.UTF_8), Map.of(), "POST runs/log-batch"));
    }

    /** What log-metric's reading of each metric object (RunDataEndpoints.addMetric) makes of the list. */
    private static MetricBatch viaTree(ArrayNode metrics) {
        MetricBatch.Builder batch = MetricBatch.newBuilder();
        Map<String, Integer> keys = new HashMap<>();
        metrics.forEach(metric -> RunDataEndpoints.addMetric(batch, keys, metric, "metrics."));
        return batch.build();
    }

    @Test
    void readsMetricsIntoColumnsAndKeepsTheOtherFields() {
        LogBatchBody body = read("{\"run_id\": \"r1\", \"metrics\": ["
                + "{\"key\": \"loss\", \"value\": 0.5, \"timestamp\": 1700000000000, \"step\": 3},"
                + "{\"key\": \"acc\", \"value\": 1, \"timestamp\": \"1700000000001\", \"step\": \"4\", \"model_id\": \"m-1\","
                + " \"dataset_name\": \"d\", \"dataset_digest\": \"x\", \"run_id\": \"r1\", \"extra\": {\"nested\": [1, 2]}},"
                + "{\"key\": \"loss\", \"value\": NaN, \"timestamp\": 7, \"step\": null},"
                + "{\"key\": \"loss\", \"value\": \"-Infinity\", \"timestamp\": 8, \"step\": 9}],"
                + " \"params\": [{\"key\": \"lr\", \"value\": \"0.1\"}], \"tags\": []}");

        MetricBatch batch = body.metrics().build();
        assertThat(batch.getKeysList()).containsExactly("loss", "acc");
        assertThat(batch.getKeyIndexList()).containsExactly(0, 1, 0, 0);
        assertThat(batch.getValueList()).containsExactly(0.5, 1.0, Double.NaN, Double.NEGATIVE_INFINITY);
        assertThat(batch.getTimestampMsList()).containsExactly(1_700_000_000_000L, 1_700_000_000_001L, 7L, 8L);
        assertThat(batch.getStepList()).containsExactly(3L, 4L, 0L, 9L);
        assertThat(body.metricCount()).isEqualTo(4);
        assertThat(body.metricError()).isEmpty();
        assertThat(body.fields().has("metrics")).isFalse();
        assertThat(body.fields().get("run_id").asText()).isEqualTo("r1");
        assertThat(body.fields().get("params").get(0).get("value").asText()).isEqualTo("0.1");
        assertThat(body.fields().get("tags").isArray()).isTrue();
    }

    @Test
    void givesTheSameBatchAsReadingEachMetricAsATree() {
        Random random = new Random(11);
        for (int round = 0; round < 50; round++) {
            ObjectNode request = MlflowApi.JSON.createObjectNode().put("run_id", "r");
            ArrayNode metrics = request.putArray("metrics");
            for (int i = random.nextInt(1000); i >= 0; i--) {
                ObjectNode metric = metrics.addObject().put("key", "k" + random.nextInt(12));
                switch (random.nextInt(4)) {
                    case 0 -> metric.put("value", random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
                    case 1 -> metric.put("value", random.nextLong());
                    case 2 -> metric.put("value", String.valueOf(random.nextDouble()));
                    default -> metric.put("value", new String[] {"NaN", "Infinity", "-Infinity"}[random.nextInt(3)]);
                }
                if (random.nextBoolean()) {
                    metric.put("timestamp", random.nextBoolean() ? random.nextLong() : 0L);
                } else {
                    metric.put("timestamp", String.valueOf(random.nextInt()));
                }
                if (random.nextInt(5) > 0) {
                    metric.put("step", random.nextBoolean() ? random.nextLong() : 0);
                }
            }
            LogBatchBody body = read(request.toString());
            assertThat(body.metrics().build()).isEqualTo(viaTree(metrics));
            assertThat(body.metricCount()).isEqualTo(metrics.size());
        }
    }

    @Test
    void aMetricWithoutTimestampGetsTheTimeOfTheRequest() {
        long before = System.currentTimeMillis();
        LogBatchBody body = read("{\"metrics\": [{\"key\": \"a\", \"value\": 1}, {\"key\": \"b\", \"value\": 2, \"timestamp\": null}]}");
        assertThat(body.metrics().getTimestampMsList()).allSatisfy(ts -> assertThat(ts).isBetween(before, System.currentTimeMillis()));
        assertThat(body.metrics().getStepList()).containsExactly(0L, 0L);
    }

    @Test
    void aBadMetricIsReportedWithLogMetricsWordsAndTheRestIsStillCounted() {
        LogBatchBody badValue = read("{\"metrics\": [{\"key\": \"a\", \"value\": 1, \"timestamp\": 1},"
                + " {\"key\": \"a\", \"value\": \"high\", \"timestamp\": 2}, {\"key\": \"a\", \"value\": 3}], \"run_id\": \"r\"}");
        assertThat(badValue.metricError()).get().extracting(Throwable::getMessage)
                .isEqualTo("Invalid value \"high\" for parameter 'metrics.value' supplied: expected a number");
        assertThat(badValue.metricCount()).isEqualTo(3);
        assertThat(badValue.fields().get("run_id").asText()).isEqualTo("r"); // read after the bad metric

        assertThat(read("{\"metrics\": [{\"value\": 1}]}").metricError()).get().extracting(Throwable::getMessage)
                .isEqualTo("Missing value for required parameter 'metrics.key'.");
        assertThat(read("{\"metrics\": [{\"key\": {\"no\": 1}, \"value\": 1}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Missing value for required parameter 'metrics.key'.");
        assertThat(read("{\"metrics\": [{\"key\": \"a\", \"value\": null}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Missing value for required parameter 'metrics.value'.");
        assertThat(read("{\"metrics\": [{\"key\": \"a\", \"value\": 1, \"step\": 1.5}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Invalid value 1.5 for parameter 'metrics.step': expected an integer");
        assertThat(read("{\"metrics\": [{\"key\": \"a\", \"value\": 1, \"timestamp\": [1]}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Invalid value [1] for parameter 'metrics.timestamp': expected an integer");
        assertThat(read("{\"metrics\": [\"a\", {\"key\": \"b\", \"value\": 1}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Missing value for required parameter 'metrics.key'.");
        // log-metric's order: the key is reported before a bad value that came first
        assertThat(read("{\"metrics\": [{\"value\": \"x\"}]}").metricError()).get()
                .extracting(Throwable::getMessage).isEqualTo("Missing value for required parameter 'metrics.key'.");
    }

    @Test
    void countsMetricsBeyondTheLimitWithoutKeepingThem() {
        StringBuilder json = new StringBuilder("{\"metrics\": [");
        for (int i = 0; i < 1205; i++) {
            json.append(i == 0 ? "" : ",").append("{\"key\": \"m\", \"value\": ").append(i).append(", \"timestamp\": 1}");
        }
        LogBatchBody body = read(json.append("]}").toString());
        assertThat(body.metricCount()).isEqualTo(1205);
        assertThat(body.metrics().getValueCount()).isEqualTo(LogBatchBody.MAX_METRICS);
    }

    @Test
    void metricsThatAreNoListStayFieldsForLogBatchsChecks() {
        assertThat(read("{\"metrics\": \"loss\"}").fields().get("metrics").asText()).isEqualTo("loss");
        assertThat(read("{\"metrics\": null}").fields().get("metrics").isNull()).isTrue();
        assertThat(read("{\"metrics\": null}").metricCount()).isZero();
    }

    @Test
    void refusesBodiesThatAreNotAJsonObject() {
        assertThatThrownBy(() -> read("{\"metrics\": [{\"key\": \"a\", \"value\": 1}")).isInstanceOf(MlflowException.class)
                .hasMessageStartingWith("the request body is not JSON: ");
        assertThatThrownBy(() -> read("[1, 2]")).isInstanceOf(MlflowException.class)
                .hasMessage("the request body must be a JSON object");
    }

    @Test
    void withoutABodyReadsTheQueryParameters() {
        ObjectNode query = MlflowApi.JSON.createObjectNode().put("run_id", "r9");
        LogBatchBody body = LogBatchBody.of(new MlflowRequest(CALLER, query, null, Map.of(), "POST runs/log-batch"));
        assertThat(body.fields().get("run_id").asText()).isEqualTo("r9");
        assertThat(body.metricCount()).isZero();
        JsonNode fields = body.fields();
        assertThat(fields.size()).isEqualTo(1);
    }
}
