package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.JobObservation;
import dev.labbook.server.domain.submit.JobObserver;
import dev.labbook.server.domain.submit.JobState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an informer's events on one kind (Jobs or pods) into {@link JobObservation}s. An informer
 * repeats itself (relists after a dropped watch, status updates that change nothing we read), so
 * each object's state is reported once: again only when it changes.
 */
final class ReportingHandler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ReportingHandler.class);

    private final String kind;
    private final Function<T, Optional<Observed>> current;
    private final Function<T, Optional<Observed>> deleted;
    private final boolean namesPod;
    private final JobObserver observer;
    /** Last state reported per object (namespace/name); forgotten when the object goes. */
    private final Map<String, JobState> reported = new ConcurrentHashMap<>();

    private ReportingHandler(String kind, Function<T, Optional<Observed>> current,
            Function<T, Optional<Observed>> deleted, boolean namesPod, JobObserver observer) {
        this.kind = kind;
        this.current = current;
        this.deleted = deleted;
        this.namesPod = namesPod;
        this.observer = observer;
    }

    static ReportingHandler<io.fabric8.kubernetes.api.model.Pod> pods(JobObserver observer) {
        return new ReportingHandler<>("pod", PodStates::of, pod -> Optional.empty(), true, observer);
    }

    static ReportingHandler<io.fabric8.kubernetes.api.model.batch.v1.Job> jobs(JobObserver observer) {
        return new ReportingHandler<>("Job", JobStates::of, job -> Optional.of(JobStates.deleted(job)), false, observer);
    }

    @Override
    public void onAdd(T object) {
        current.apply(object).ifPresent(observed -> reportChange(object, observed));
    }

    @Override
    public void onUpdate(T previous, T object) {
        current.apply(object).ifPresent(observed -> reportChange(object, observed));
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
        reported.remove(key(object));
        deleted.apply(object).ifPresent(observed -> report(object, observed));
    }

    private void reportChange(T object, Observed observed) {
        if (reported.put(key(object), observed.state()) != observed.state()) {
            report(object, observed);
        }
    }

    private void report(T object, Observed observed) {
        Optional<UUID> runId = JobLabels.runId(object);
        if (runId.isEmpty()) {
            LOG.debug("{} {} has no valid {} label; not reported", kind, key(object), JobLabels.RUN_ID);
            return;
        }
        JobObservation observation = new JobObservation(runId.get(),
                namesPod ? object.getMetadata().getName() : "", observed.state(), observed.message());
        try {
            observer.observed(observation);
        } catch (RuntimeException e) {
            // The informer's thread must live on for every other run; this observation is lost,
            // the next change of the same object is reported again.
            reported.remove(key(object));
            LOG.error("reporting {} of {} {} failed", observation, kind, key(object), e);
        }
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
