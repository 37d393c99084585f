package dev.labbook.server.mlflow;

import java.util.List;

/** The MLflow API as the server serves it: every endpoint group over one {@link LabbookGateway}. */
public final class MlflowApis {
    private MlflowApis() {
    }

    public static MlflowApi of(LabbookGateway gateway) {
        return new MlflowApi(List.of(new ServerInfoEndpoints(true)), new MlflowArtifacts(gateway));
    }
}
