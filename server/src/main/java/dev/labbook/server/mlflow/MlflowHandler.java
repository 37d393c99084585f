package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.JsonNode;

/** One MLflow endpoint: its request's fields in, the JSON answer out (an empty object for none). */
@FunctionalInterface
public interface MlflowHandler {
    JsonNode handle(MlflowRequest request);
}
