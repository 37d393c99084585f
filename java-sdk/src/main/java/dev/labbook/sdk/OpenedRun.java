package dev.labbook.sdk;

/** Result of create-or-resume: the run and whether it existed already. */
public record OpenedRun(RunInfo run, boolean resumed) {
}
