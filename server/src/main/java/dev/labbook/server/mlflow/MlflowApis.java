package dev.labbook.server.mlflow;

import java.time.Clock;
import java.util.List;

/** The MLflow API as the server serves it: every endpoint group over one {@link LabbookGateway}. */
public final class MlflowApis {
    private MlflowApis() {
    }

    public static MlflowApi of(LabbookGateway gateway) {
        MlflowRunLeases leases = new MlflowRunLeases(gateway, Clock.systemUTC());
        return new MlflowApi(List.of(new ServerInfoEndpoints(false), new ExperimentEndpoints(gateway),
                new RunEndpoints(gateway, leases), new RunDataEndpoints(gateway, leases), new MetricEndpoints(gateway),
                new LoggedModelEndpoints(gateway)), new MlflowArtifacts(gateway));
    }
}
