package example;

import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.Run;
import java.util.Map;

/** A training loop tracked through the Labbook Java SDK: one run, two parameters, one metric. */
public final class TrackedLoop {
    private TrackedLoop() {
    }

    public static void main(String[] args) {
        String target = args.length > 0 ? args[0] : "localhost:7800";
        try (Labbook lb = Labbook.connect(target);
             Run run = lb.experiment("java-consumer").startRun("first-run")) {
            run.execute(r -> { // COMPLETED when the block returns, FAILED if it throws
                r.logParams(Map.of("lr", 0.1, "epochs", 10));
                for (int step = 0; step < 10; step++) {
                    r.logMetric("train/loss", 1.0 / (step + 1));
                }
            });
            System.out.println("run " + run.id());
        }
    }
}
