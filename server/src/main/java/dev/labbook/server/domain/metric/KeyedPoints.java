package dev.labbook.server.domain.metric;

import java.util.Arrays;

/** Growable columnar points of one key, in arrival order. */
final class KeyedPoints {
    long[] steps;
    long[] timestamps;
    double[] values;
    int size;

    KeyedPoints(int capacity) {
        steps = new long[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
    }

    void add(long step, long timestamp, double value) {
        if (size == steps.length) {
            int capacity = Math.max(16, size * 2);
            steps = Arrays.copyOf(steps, capacity);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        steps[size] = step;
        timestamps[size] = timestamp;
        values[size] = value;
        size++;
    }
}
