package dev.labbook.server.domain.submit;

/** What the server saw of a submission's Job and pod. */
public enum JobState {
    /** Created, its pod not running yet (scheduling, pulling the image). */
    PENDING,
    /** Its pod runs. */
    RUNNING,
    /** The Job completed (the runner has set the run's status itself). */
    SUCCEEDED,
    /** The pod cannot run (image pull errors, invalid spec) or died (OOMKilled, evicted, deadline): the message says why. */
    FAILED,
    /** The Job is gone (deleted by someone, or by the server after a cancel). */
    DELETED
}
