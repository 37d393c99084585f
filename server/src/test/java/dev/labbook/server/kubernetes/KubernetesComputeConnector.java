package dev.labbook.server.kubernetes;

import dev.labbook.server.ComputeConnector;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Test support for other modules (the server's test-jar; the Java SDK's ITs use it): a
 * {@link ComputeConnector} running the real {@link KubernetesCompute} on a client the test made
 * (fabric8's Kubernetes API server in memory), since {@link KubernetesCompute#start} is package
 * private so that production code only reaches the cluster through {@link KubernetesCompute#connect}.
 */
public final class KubernetesComputeConnector {
    private KubernetesComputeConnector() {
    }

    /**
     * Connects on {@code client} and returns once the watches of the targets' namespaces are up
     * (within {@code watching}): objects a test makes afterwards are seen as changes.
     */
    public static ComputeConnector on(KubernetesClient client, Duration watching) {
        return (targets, observer) -> {
            KubernetesCompute compute = KubernetesCompute.start(client, targets, observer);
            try {
                compute.awaitWatching(watching);
            } catch (InterruptedException | TimeoutException e) {
                compute.close();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the Kubernetes watches did not start within " + watching, e);
            }
            return new ComputeConnector.Connection(compute, compute);
        };
    }
}
