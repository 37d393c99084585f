package dev.labbook.server.domain.submit;

/** Receives what the Kubernetes watch sees (implemented by the submit service). */
@FunctionalInterface
public interface JobObserver {
    void observed(JobObservation observation);
}
