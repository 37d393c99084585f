package dev.labbook.sdk;

/**
 * A project: a namespace of experiments. It exists while it holds an experiment; {@code default}
 * always exists. {@code experimentCount} counts the active ones; the times are those of its
 * oldest and latest-changed experiment (0 for an empty {@code default}).
 */
public record ProjectInfo(String name, long experimentCount, long createTimeMs, long updateTimeMs) {
}
