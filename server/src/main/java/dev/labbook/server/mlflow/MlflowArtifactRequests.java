package dev.labbook.server.mlflow;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * MLflow's proxied-artifact API ({@code /api/2.0/mlflow-artifacts/...}): bodies are files, streamed
 * rather than read as JSON, so it gets the raw request.
 */
public interface MlflowArtifactRequests {
    /**
     * @param path the part after {@code mlflow-artifacts/}, e.g. {@code artifacts/<exp>/<run>/artifacts/model.pkl},
     *     {@code artifacts} (a listing: the directory is the {@code path} query parameter) or {@code mpu/create/...}
     */
    HttpResponse serve(ServiceRequestContext ctx, HttpRequest request, MlflowCaller caller, String path);
}
