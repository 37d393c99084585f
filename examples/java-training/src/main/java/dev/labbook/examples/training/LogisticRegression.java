package dev.labbook.examples.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A plain Java training loop: logistic regression by mini-batch SGD on synthetic, linearly
 * separable-with-noise data. Reports to {@link TrainingListener}s only.
 */
public final class LogisticRegression {
    private final Hyperparameters hp;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public LogisticRegression(Hyperparameters hp) {
        this.hp = hp;
    }

    public LogisticRegression addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Trains and returns the validation accuracy. */
    public double train(int trainRows, int validationRows) {
        Random random = new Random(hp.seed());
        double[] truth = new double[hp.features()];
        for (int j = 0; j < truth.length; j++) {
            truth[j] = random.nextGaussian();
        }
        double[][] x = new double[trainRows + validationRows][hp.features()];
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double z = 0;
            for (int j = 0; j < hp.features(); j++) {
                x[i][j] = random.nextGaussian();
                z += truth[j] * x[i][j];
            }
            y[i] = z + 0.5 * random.nextGaussian() > 0 ? 1 : 0;
        }
        double[] w = new double[hp.features() + 1]; // last one is the bias
        listeners.forEach(l -> l.onTrainingBegin(hp));
        long step = 0;
        double accuracy = 0;
        for (int epoch = 0; epoch < hp.epochs(); epoch++) {
            double epochLoss = 0;
            int batches = 0;
            for (int start = 0; start < trainRows; start += hp.batchSize()) {
                int end = Math.min(trainRows, start + hp.batchSize());
                double[] grad = new double[w.length];
                double loss = 0;
                for (int i = start; i < end; i++) {
                    double p = sigmoid(dot(w, x[i]));
                    loss += -(y[i] == 1 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12));
                    for (int j = 0; j < hp.features(); j++) {
                        grad[j] += (p - y[i]) * x[i][j];
                    }
                    grad[hp.features()] += p - y[i];
                }
                int n = end - start;
                for (int j = 0; j < w.length; j++) {
                    w[j] -= hp.learningRate() * grad[j] / n;
                }
                double batchLoss = loss / n;
                long s = step++;
                listeners.forEach(l -> l.onBatchEnd(s, batchLoss));
                epochLoss += batchLoss;
                batches++;
            }
            accuracy = accuracy(w, x, y, trainRows);
            double trainLoss = epochLoss / batches;
            int e = epoch;
            double acc = accuracy;
            listeners.forEach(l -> l.onEpochEnd(e, trainLoss, acc));
        }
        double finalAccuracy = accuracy;
        listeners.forEach(l -> l.onTrainingEnd(w.clone(), finalAccuracy));
        return accuracy;
    }

    private double accuracy(double[] w, double[][] x, int[] y, int from) {
        int correct = 0;
        for (int i = from; i < x.length; i++) {
            if ((sigmoid(dot(w, x[i])) > 0.5 ? 1 : 0) == y[i]) {
                correct++;
            }
        }
        return (double) correct / (x.length - from);
    }

    private double dot(double[] w, double[] row) {
        double z = w[hp.features()];
        for (int j = 0; j < hp.features(); j++) {
            z += w[j] * row[j];
        }
        return z;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
