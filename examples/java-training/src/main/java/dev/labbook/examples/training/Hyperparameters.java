package dev.labbook.examples.training;

/** What the training loop is told. */
public record Hyperparameters(double learningRate, int epochs, int batchSize, int features, long seed) {
    public static Hyperparameters defaults() {
        return new Hyperparameters(0.1, 10, 64, 20, 42);
    }
}
