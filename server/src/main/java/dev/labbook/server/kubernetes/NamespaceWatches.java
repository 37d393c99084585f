package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.JobObserver;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers on the Jobs and pods Labbook manages, one per namespace and kind however many runs
 * there are: Kubernetes pushes each change, nothing polls per run.
 */
final class NamespaceWatches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceWatches.class);

    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final List<CompletableFuture<Void>> started = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts watching without waiting for the API: a server whose cluster is briefly out of reach
     * still starts, and its informers keep trying (logging why) until they list and watch.
     */
    NamespaceWatches(KubernetesClient client, Collection<String> namespaces, JobObserver observer) {
        ReportingHandler<Job> jobs = ReportingHandler.jobs(observer);
        ReportingHandler<Pod> pods = ReportingHandler.pods(observer);
        for (String namespace : namespaces) {
            start(namespace, "Jobs", client.batch().v1().jobs().inNamespace(namespace)
                    .withLabel(JobLabels.MANAGED_BY, JobLabels.MANAGED_BY_VALUE).runnableInformer(0), jobs);
            start(namespace, "pods", client.pods().inNamespace(namespace)
                    .withLabel(JobLabels.MANAGED_BY, JobLabels.MANAGED_BY_VALUE).runnableInformer(0), pods);
        }
    }

    private <T> void start(String namespace, String kind, SharedIndexInformer<T> informer, ReportingHandler<? super T> handler) {
        informer.addEventHandler(handler);
        informer.exceptionHandler(keepTrying(namespace, kind));
        informers.add(informer);
        started.add(informer.start().toCompletableFuture());
    }

    /**
     * fabric8's default gives up on an informer that never started (an API down at boot, RBAC not
     * yet applied): then no Job of that namespace would be watched until a restart.
     */
    private ExceptionHandler keepTrying(String namespace, String kind) {
        return (wasStarted, error) -> {
            if (closed.get()) {
                return false;
            }
            if (ExceptionHandler.isDeserializationException(error)) {
                LOG.error("watching {} in namespace {}: a response could not be read; stopped", kind, namespace, error);
                return false;
            }
            LOG.warn("watching {} in namespace {} failed ({}); retrying", kind, namespace, error.toString());
            return true;
        };
    }

    /** Waits until every informer has listed and watches (tests; a server does not wait). */
    void awaitWatching(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an informer did not start", e.getCause());
        }
    }

    @Override
    public void close() {
        // Before stop: an informer still trying to start is not stopped by stop() alone.
        closed.set(true);
        informers.forEach(SharedIndexInformer::stop);
    }
}
