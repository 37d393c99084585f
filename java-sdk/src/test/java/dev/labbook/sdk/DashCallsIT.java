package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ML-Dash's calls on the Java Run (seed 004 "Available Operations"), read back from the server. */
@ExtendWith(LabbookServerExtension.class)
class DashCallsIT {
    @TempDir
    Path tmp;

    @Test
    void logParametersMetricAndFileAsMlDashDoes(TestServer server) throws Exception {
        Path model = Files.writeString(tmp.resolve("model.pth"), "weights");
        try (Labbook labbook = Labbook.connect(server.target(), LabbookOptions.defaults()
                .withSpoolDir(tmp.resolve("spool")).withFlushInterval(Duration.ofMillis(100)));
             Run run = labbook.experiment("dash").startRun("demo")) {
            run.log("Training started", LogLevel.INFO);
            run.parameters().set(Map.of("lr", 0.001, "batch_size", 32))
                    .set(Map.of("model", Map.of("depth", 50)));
            run.metric("loss").append(0.5, 1);
            run.metric("loss").append(0.4);                       // next step: 2
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("value", 0.3);
            fields.put("step", 7);
            fields.put("epoch", 3);
            fields.put("acc", 0.9);
            fields.put("phase", "val");
            run.metric("loss").append(fields);
            run.metric("loss").appendBatch(List.of(Map.of("value", 0.2, "epoch", 8)));
            run.file(model, "/models");
            run.file(model, "/");
            assertThatThrownBy(() -> run.metric("loss").append(Map.of("epoch", 1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(run.flush()).isTrue();

            assertThat(run.getParams()).containsOnly(Map.entry("lr", 0.001), Map.entry("batch_size", 32L),
                    Map.entry("model.depth", 50L));
            MetricSeries loss = run.metric("loss").read();
            assertThat(loss.steps()).containsExactly(1, 2, 7, 8);
            assertThat(loss.values()).containsExactly(0.5, 0.4, 0.3, 0.2);
            assertThat(run.getMetricHistory("loss/acc").steps()).containsExactly(7);
            assertThat(run.getMetricHistory("loss/epoch").values()).containsExactly(3.0);
            assertThat(run.getMetrics().get("loss/fields")).isEqualTo(Map.of("phase", List.of("val"),
                    "step", List.of(7.0)));
            assertThat(run.getFileNames()).containsExactly("model.pth", "models/model.pth");
            assertThat(run.client().logs().read(run.id(), 0, 0, null)).extracting(LogLine::text)
                    .containsExactly("Training started");
        }
    }
}
