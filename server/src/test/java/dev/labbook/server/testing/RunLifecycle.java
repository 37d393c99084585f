package dev.labbook.server.testing;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;

/** Ends a run with any terminal status: CANCELED through CancelRun, the others through FinishRun. */
public final class RunLifecycle {
    private RunLifecycle() {
    }

    public static Run finish(TestServer server, String runId, RunStatus status) {
        if (status == RunStatus.RUN_STATUS_CANCELED) {
            return server.runs().cancelRun(CancelRunRequest.newBuilder().setRunId(runId).build()).getRun();
        }
        return server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(runId).setStatus(status).build()).getRun();
    }
}
