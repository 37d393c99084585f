package dev.labbook.examples.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogisticRegressionTest {
    @Test
    void learnsAndTracksEveryEpoch(@TempDir Path tmp) throws Exception {
        Path dir;
        double accuracy;
        try (Run run = Run.offline(tmp, "", "example", "test")) {
            dir = run.offlineDir();
            accuracy = new LogisticRegression(Hyperparameters.defaults()).addListener(new LabbookListener(run))
                    .train(5_000, 1_000);
        }
        assertThat(accuracy).isGreaterThan(0.85);
        assertThat(Files.readAllLines(dir.resolve("tables.jsonl")).stream().filter(l -> l.contains("\"epochs\"")))
                .hasSize(10);
        assertThat(Files.readString(dir.resolve("params.jsonl"))).contains("\"key\":\"lr\"");
        assertThat(Files.readString(dir.resolve("files/outputs/model.txt"))).contains("val_acc");
        assertThat(Files.readString(dir.resolve("run.json"))).contains("\"status\":\"COMPLETED\"");
    }
}
