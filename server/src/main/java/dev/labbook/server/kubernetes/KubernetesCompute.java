package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobObserver;
import dev.labbook.server.domain.submit.JobRequest;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Kubernetes side of submissions: creates and deletes Jobs, and watches the Jobs and
 * pods of every target's namespace, telling the observer what it sees (fabric8's client on the
 * JDK's HTTP client).
 */
public final class KubernetesCompute implements JobLauncher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesCompute.class);
    /** UNAVAILABLE with this reason; the message names the namespace and the API's answer. */
    static final ErrorReason API_UNAVAILABLE = ErrorReason.COMPUTE_UNAVAILABLE;
    /**
     * How often a failed request is retried (after 100 then 200 ms): fabric8's default of ten with
     * exponential backoff would hold a SubmitRun for minutes; its caller would rather retry itself.
     */
    static final int REQUEST_RETRIES = 2;

    private final KubernetesClient client;
    private final NamespaceWatches watches;

    private KubernetesCompute(KubernetesClient client, NamespaceWatches watches) {
        this.client = client;
        this.watches = watches;
    }

    /**
     * Connects with the cluster configuration found in the environment (in-cluster ServiceAccount,
     * or KUBECONFIG) and starts watching the targets' namespaces.
     *
     * @throws IllegalArgumentException when a target's tolerations cannot be made into a pod's
     */
    public static KubernetesCompute connect(List<ComputeTarget> targets, JobObserver observer) {
        return start(new KubernetesClientBuilder().withConfig(clientConfig(Config.autoConfigure(null))).build(),
                targets, observer);
    }

    /** The environment's configuration with Labbook's limits on request retries. */
    static Config clientConfig(Config base) {
        return new ConfigBuilder(base).withRequestRetryBackoffLimit(REQUEST_RETRIES).build();
    }

    /** Takes over {@code client} (closed with this) and starts watching the targets' namespaces. */
    static KubernetesCompute start(KubernetesClient client, List<ComputeTarget> targets, JobObserver observer) {
        try {
            targets.forEach(JobManifest::tolerations); // a bad target fails the server's start, not each submission
            TreeSet<String> namespaces = new TreeSet<>();
            targets.forEach(target -> namespaces.add(target.namespace()));
            LOG.info("watching Labbook's Jobs and pods in namespaces {} of {}", namespaces, client.getMasterUrl());
            return new KubernetesCompute(client, new NamespaceWatches(client, namespaces, observer));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public void create(JobRequest request) {
        Job job = JobManifest.of(request);
        String namespace = request.target().namespace();
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            LOG.info("created Job {}/{} of run {}", namespace, request.jobName(), request.runId());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                LOG.info("Job {}/{} of run {} exists already (a retried submission)", namespace, request.jobName(), request.runId());
                return;
            }
            throw apiError("creating Job " + request.jobName(), namespace, e);
        }
    }

    @Override
    public void delete(ComputeTarget target, String jobName) {
        try {
            // Background: the API returns at once and the garbage collector removes the pod, whose
            // runner is stopped (SIGTERM) as the pod terminates.
            boolean deleted = !client.batch().v1().jobs().inNamespace(target.namespace()).withName(jobName)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty();
            LOG.info(deleted ? "deleted Job {}/{}" : "Job {}/{} was gone already", target.namespace(), jobName);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return;
            }
            throw apiError("deleting Job " + jobName, target.namespace(), e);
        }
    }

    /**
     * An answer the same request cannot change (403: RBAC, a quota, an admission policy; 404: no
     * such namespace; 422: an invalid Job) is FAILED_PRECONDITION COMPUTE_REFUSED, so that clients
     * do not retry it for their whole retry window; no answer, 5xx, 408 and 429 are UNAVAILABLE
     * COMPUTE_UNAVAILABLE (retry).
     */
    private static LabbookException apiError(String action, String namespace, KubernetesClientException e) {
        int code = e.getCode();
        String answer = code > 0
                ? "the Kubernetes API answered " + code + ": " + apiMessage(e)
                : "the Kubernetes API did not answer: " + rootMessage(e);
        String message = action + " in namespace " + namespace + " failed; " + answer;
        boolean refused = code >= 400 && code < 500 && code != 408 && code != 429;
        if (refused) {
            return new FailedPreconditionException(ErrorReason.COMPUTE_REFUSED, message
                    + " (retrying will not help: check the server's Role in that namespace, its quotas and policies)");
        }
        return new UnavailableException(API_UNAVAILABLE, message, e);
    }

    private static String apiMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /**
     * What went wrong on the way to the API, past the wrappers: the first cause with a message, or
     * of a telling type ({@code ConnectException}, {@code UnknownHostException: x}, {@code HttpTimeoutException: ...}).
     */
    private static String rootMessage(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            boolean wrapper = cause instanceof KubernetesClientException || cause instanceof CompletionException
                    || cause instanceof ExecutionException || cause.getClass() == IOException.class;
            if (!wrapper || (cause.getMessage() != null && !(cause instanceof KubernetesClientException))) {
                return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            }
        }
        return String.valueOf(e.getMessage());
    }

    /** Waits until the informers list and watch (tests). */
    void awaitWatching(Duration timeout) throws InterruptedException, TimeoutException {
        watches.awaitWatching(timeout);
    }

    @Override
    public void close() {
        watches.close();
        client.close();
    }
}
