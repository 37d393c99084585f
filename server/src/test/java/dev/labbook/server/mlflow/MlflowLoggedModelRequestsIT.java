package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the logged-model endpoints refuse themselves, before calling ModelService. */
@ExtendWith(LabbookServerExtension.class)
class MlflowLoggedModelRequestsIT {
    @Test
    void aModelWithoutARunIsRefusedWithTheReason(TestServer server) {
        MlflowClient.Answer answer = new MlflowClient(server).post("logged-models", json("{'experiment_id': '0', 'name': 'm'}"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(answer.message()).contains("source_run_id", "run");
    }

    @Test
    void aSearchFilterOtherThanNameOrRunIsRefused(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        MlflowClient.Answer answer = mlflow.post("logged-models/search",
                json("{'experiment_ids': ['0'], 'filter': \"metrics.acc > 0.5\"}"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.message()).contains("metrics.acc");
        MlflowClient.Answer like = mlflow.post("logged-models/search", json("{'experiment_ids': ['0'], 'filter': \"name LIKE 'm%'\"}"));
        assertThat(like.status()).isEqualTo(400);
        assertThat(like.message()).contains("name");
    }
}
