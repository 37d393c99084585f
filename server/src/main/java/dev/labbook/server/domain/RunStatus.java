package dev.labbook.server.domain;

/** Lifecycle of a run: RUNNING, then one of the terminal states. */
public enum RunStatus {
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELED;

    public boolean isTerminal() {
        return this != RUNNING;
    }
}
