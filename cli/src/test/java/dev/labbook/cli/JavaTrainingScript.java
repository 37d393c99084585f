package dev.labbook.cli;

import dev.labbook.sdk.Run;

/** A Java "training script" for {@code labbook run}: script mode attaches it to the CLI's run. */
public final class JavaTrainingScript {
    private JavaTrainingScript() {
    }

    public static void main(String[] args) {
        Run run = Run.getContext();
        System.out.println("attached to " + run.id());
        run.logParam("batch_size", 64);
        for (int step = 0; step < 100; step++) {
            run.logMetric("loss", 1.0 / (step + 1));
        }
        run.log("from the SDK");
        run.flush();
        if (args.length > 0 && args[0].equals("diverge")) {
            throw new IllegalStateException("training diverged");
        }
    }
}
