package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.JobState;

/** A state read from a Job or pod, before it is tied to a run: the message says why for FAILED and DELETED. */
record Observed(JobState state, String message) {

    static Observed failed(String why) {
        return new Observed(JobState.FAILED, why);
    }
}
