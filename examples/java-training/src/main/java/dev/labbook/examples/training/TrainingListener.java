package dev.labbook.examples.training;

/**
 * Callbacks of a training loop, in the style of DJL's {@code TrainingListener} or Keras
 * callbacks: the loop knows nothing about tracking, listeners do.
 */
public interface TrainingListener {
    default void onTrainingBegin(Hyperparameters hp) {
    }

    default void onBatchEnd(long step, double loss) {
    }

    default void onEpochEnd(int epoch, double trainLoss, double validationAccuracy) {
    }

    default void onTrainingEnd(double[] weights, double validationAccuracy) {
    }
}
