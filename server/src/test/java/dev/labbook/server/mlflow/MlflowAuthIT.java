package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.labbook.api.v1.AuditEvent;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Labbook tokens as MLFLOW_TRACKING_TOKEN (Bearer) or as basic auth's password, checked by the
 * same interceptors as every client; the audit log shows the MLflow caller's address; the
 * adapter renews a run's lease at most once a minute.
 */
@ExtendWith(AuthServerExtension.class)
class MlflowAuthIT {
    private static final String CREATE = "{'name': 'mlflow-auth'}";

    @Test
    void aValidTokenWorksAsBearerAndAsBasicPassword(TestServer server) {
        String editor = TestTokens.create(server, "default", Role.EDITOR);
        MlflowClient bearer = new MlflowClient(server).as("Bearer " + editor);
        String id = bearer.okPost("experiments/create", json(CREATE)).get("experiment_id").asText();
        MlflowClient basic = new MlflowClient(server).as("Basic "
                + Base64.getEncoder().encodeToString(("anyone:" + editor).getBytes(StandardCharsets.UTF_8)));
        assertThat(basic.okGet("experiments/get?experiment_id=" + id).get("experiment").get("name").asText())
                .isEqualTo("mlflow-auth");
    }

    @Test
    void noneOrAWrongTokenIsUnauthenticated(TestServer server) {
        MlflowClient.Answer none = new MlflowClient(server).post("experiments/create", json(CREATE));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHENTICATED");
        MlflowClient.Answer wrong = new MlflowClient(server).as("Bearer lbk_NotARealToken").post("experiments/create", json(CREATE));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void aViewerWritingIsPermissionDenied(TestServer server) {
        String editor = TestTokens.create(server, "default", Role.EDITOR);
        String viewer = TestTokens.create(server, "default", Role.VIEWER);
        String id = new MlflowClient(server).as("Bearer " + editor).okPost("experiments/create", json(CREATE))
                .get("experiment_id").asText();
        MlflowClient reader = new MlflowClient(server).as("Bearer " + viewer);
        assertThat(reader.okGet("experiments/get?experiment_id=" + id).get("experiment")).isNotNull();
        MlflowClient.Answer write = reader.post("runs/create", json("{'experiment_id': '" + id + "', 'run_name': 'r'}"));
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.errorCode()).isEqualTo("PERMISSION_DENIED");
        // The default experiment "0": an editor's first use creates it, a viewer reads it.
        new MlflowClient(server).as("Bearer " + editor).okPost("runs/create", json("{'experiment_id': '0', 'run_name': 'd'}"));
        assertThat(reader.okPost("runs/search", json("{'experiment_ids': ['0']}")).get("runs")).hasSize(1);
        assertThat(reader.okGet("experiments/get?experiment_id=0").get("experiment").get("name").asText()).isEqualTo("Default");
    }

    @Test
    void theAuditLogShowsTheHttpCallerAndTheLeaseIsRenewedOncePerMinute(TestServer server) throws Exception {
        String editor = TestTokens.create(server, "default", Role.EDITOR);
        MlflowClient mlflow = new MlflowClient(server).as("Bearer " + editor);
        String exp = mlflow.okPost("experiments/create", json(CREATE)).get("experiment_id").asText();
        JsonNode run = mlflow.okPost("runs/create", json("{'experiment_id': '" + exp + "', 'run_name': 'r'}")).get("run");
        String runId = run.get("info").get("run_id").asText();
        for (int i = 0; i < 3; i++) {
            mlflow.okPost("runs/log-metric", json("{'run_id': '" + runId + "', 'key': 'x', 'value': " + i + ", 'timestamp': 1, 'step': " + i + "}"));
        }
        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();
        List<AuditEvent> events = TestTokens.as(server.access(), AuthServerExtension.BOOTSTRAP_TOKEN)
                .listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(100).build()).getEventsList();
        List<AuditEvent> creates = events.stream()
                .filter(e -> e.getMethod().equals("labbook.v1.ExperimentService/CreateExperiment")).toList();
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getPeer()).startsWith("127.0.0.1:");
        assertThat(creates.get(0).getPeer()).doesNotEndWith(":0");
        assertThat(creates.get(0).getPrincipal()).startsWith("token:");
        assertThat(events.stream().filter(e -> e.getMethod().equals("labbook.v1.MetricService/BatchLogMetrics"))).hasSize(3);
        // Renewed at the first write, then not again within the minute; from the HTTP caller too.
        List<AuditEvent> renewals = events.stream().filter(e -> e.getMethod().equals("labbook.v1.RunService/RenewRunLease")).toList();
        assertThat(renewals).hasSize(1);
        assertThat(renewals.get(0).getTarget()).contains(runId);
        assertThat(renewals.get(0).getPeer()).startsWith("127.0.0.1:");
    }
}
