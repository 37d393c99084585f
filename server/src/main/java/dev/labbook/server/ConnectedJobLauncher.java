package dev.labbook.server;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobRequest;

/**
 * The launcher the submit service is built with, before the compute it launches on is connected:
 * connecting needs the service (it observes the Jobs), the service needs a launcher. Connected
 * before the API serves, so no call reaches it unconnected; a server without targets never
 * connects it and never calls it (SubmitRun refuses every target).
 */
final class ConnectedJobLauncher implements JobLauncher {
    private volatile JobLauncher connected;

    void connect(JobLauncher launcher) {
        connected = launcher;
    }

    @Override
    public void create(JobRequest request) {
        launcher().create(request);
    }

    @Override
    public void delete(ComputeTarget target, String jobName) {
        launcher().delete(target, jobName);
    }

    private JobLauncher launcher() {
        JobLauncher launcher = connected;
        if (launcher == null) {
            throw new IllegalStateException("no compute is connected (the server has no compute targets)");
        }
        return launcher;
    }
}
