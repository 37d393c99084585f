package dev.labbook.sdk;

/** Result of opening a run by name: the run, whether it existed already, and whether its experiment was created now. */
public record OpenedRun(RunInfo run, boolean resumed, boolean experimentCreated) {
}
