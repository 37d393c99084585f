package dev.labbook.examples.training;

import dev.labbook.sdk.Run;

/**
 * Trains in script mode: {@code Run.getContext()} finds the run from the environment
 * ({@code LABBOOK_TRACKING_URI}, {@code LABBOOK_EXPERIMENT}, ...; see docs/script-mode.md), or logs
 * offline to {@code ./labbook-offline} when nothing is set. The run finishes COMPLETED at exit,
 * or FAILED if training throws.
 */
public final class TrainMain {
    private TrainMain() {
    }

    public static void main(String[] args) {
        Hyperparameters hp = Hyperparameters.defaults();
        if (args.length > 0) {
            hp = new Hyperparameters(Double.parseDouble(args[0]), hp.epochs(), hp.batchSize(), hp.features(), hp.seed());
        }
        Run run = Run.getContext();
        double accuracy = new LogisticRegression(hp).addListener(new LabbookListener(run)).train(10_000, 2_000);
        System.out.printf("validation accuracy %.4f (run %s)%n", accuracy, run.isOffline() ? run.offlineDir() : run.id());
    }
}
