package dev.labbook.sdk;

/** Status of a run. A run starts RUNNING; the other three are final until it is resumed. */
public enum RunStatus {
    RUNNING, COMPLETED, FAILED, CANCELED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
