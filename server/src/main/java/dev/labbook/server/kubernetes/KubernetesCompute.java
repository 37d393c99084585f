package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobObserver;
import dev.labbook.server.domain.submit.JobRequest;
import java.util.List;

/**
 * The server's Kubernetes side of submissions: creates and deletes Jobs, and watches the Jobs and
 * pods of every target's namespace, telling {@code observer} what it sees.
 * PLACEHOLDER while issue 18 is built in parallel: replaced by the fabric8 implementation.
 */
public final class KubernetesCompute implements JobLauncher, AutoCloseable {

    private KubernetesCompute() {
    }

    /**
     * Connects with the cluster configuration found in the environment (in-cluster ServiceAccount,
     * or KUBECONFIG) and starts watching the targets' namespaces.
     */
    public static KubernetesCompute connect(List<ComputeTarget> targets, JobObserver observer) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void create(JobRequest request) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void delete(ComputeTarget target, String jobName) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() {
    }
}
