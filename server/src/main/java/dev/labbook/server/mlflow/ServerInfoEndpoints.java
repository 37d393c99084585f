package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/3.0/mlflow/server-info}: what the MLflow client asks before choosing how to
 * upload artifacts and whether workspaces exist.
 */
final class ServerInfoEndpoints implements MlflowEndpoints {
    private final boolean multipartUploads;

    ServerInfoEndpoints(boolean multipartUploads) {
        this.multipartUploads = multipartUploads;
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.get("server-info", request -> {
            ObjectNode info = MlflowApi.JSON.createObjectNode();
            // MLflow's own SQL-backed server says SqlStore; the client reads it only for telemetry.
            info.put("store_type", "Labbook");
            info.put("workspaces_enabled", false);
            info.put("trace_archival_enabled", false);
            info.put("multipart_uploads_enabled", multipartUploads);
            info.put("multipart_downloads_enabled", false);
            info.put("artifact_serving_enabled", true);
            info.putObject("features_enabled");
            return info;
        });
    }
}
