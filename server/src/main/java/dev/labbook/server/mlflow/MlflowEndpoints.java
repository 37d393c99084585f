package dev.labbook.server.mlflow;

/** A group of MLflow endpoints (experiments, runs, metrics, models...), each added to the routes. */
public interface MlflowEndpoints {
    void register(MlflowRoutes routes);
}
