package dev.labbook.examples.training;

import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tracks a training loop in a Labbook run: params, per-batch loss, per-epoch metrics, the model. */
public final class LabbookListener implements TrainingListener {
    private final Run run;

    public LabbookListener(Run run) {
        this.run = run;
    }

    @Override
    public void onTrainingBegin(Hyperparameters hp) {
        run.logParams(Map.of("lr", hp.learningRate(), "epochs", hp.epochs(), "batch_size", hp.batchSize(),
                "features", hp.features(), "seed", hp.seed(), "model", "logistic-regression"));
        run.setTags(Map.of("framework", "plain-java"));
    }

    @Override
    public void onBatchEnd(long step, double loss) {
        run.logMetric("train/batch_loss", loss, step); // ~50 ns, never waits for the network
    }

    @Override
    public void onEpochEnd(int epoch, double trainLoss, double validationAccuracy) {
        run.logMetrics(Map.of("train/loss", trainLoss, "val/acc", validationAccuracy), epoch);
        run.logRow("epochs", Map.of("epoch", epoch, "train_loss", trainLoss, "val_acc", validationAccuracy));
        run.log(String.format("epoch %d: loss %.4f, val acc %.4f", epoch, trainLoss, validationAccuracy),
                LogLevel.INFO);
    }

    @Override
    public void onTrainingEnd(double[] weights, double validationAccuracy) {
        run.logList("weights", Arrays.stream(weights).boxed().toList());
        try {
            Path model = Files.createTempFile("model", ".txt");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("weights", Arrays.toString(weights));
            summary.put("val_acc", validationAccuracy);
            Files.writeString(model, summary.toString());
            run.uploadFile("outputs/model.txt", model);
            run.flush(); // the upload reads the file in the background: keep it until then
            Files.deleteIfExists(model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run.setTag("val_acc", String.format("%.4f", validationAccuracy));
    }
}
