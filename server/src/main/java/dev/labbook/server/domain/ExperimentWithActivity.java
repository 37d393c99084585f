package dev.labbook.server.domain;

/**
 * An experiment as the API shows it: with the activity of its runs, read in the same
 * transaction as the experiment.
 */
public record ExperimentWithActivity(Experiment experiment, RunActivity runs) {
}
