package dev.labbook.server;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobObserver;
import dev.labbook.server.kubernetes.KubernetesCompute;
import java.util.List;

/**
 * Connects the server to the compute behind its targets: what creates and deletes their Jobs, and
 * reports what it sees of them to {@code observer}. Called once at start, only when the server has
 * targets. The server uses {@link #KUBERNETES}; a server embedded in tests may be given another.
 */
@FunctionalInterface
public interface ComputeConnector {
    /** The Kubernetes cluster of the environment (in-cluster ServiceAccount or KUBECONFIG). */
    ComputeConnector KUBERNETES = (targets, observer) -> {
        KubernetesCompute compute = KubernetesCompute.connect(targets, observer);
        return new Connection(compute, compute);
    };

    Connection connect(List<ComputeTarget> targets, JobObserver observer);

    /** The launcher, and what to close at shutdown (watches, the client's connections). */
    record Connection(JobLauncher launcher, AutoCloseable resource) {
    }
}
