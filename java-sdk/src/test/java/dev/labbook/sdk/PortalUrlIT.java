package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Links to the web UI ({@code getPortalUrl}) from what real servers report in GetServerInfo. */
@ExtendWith(LabbookServerExtension.class)
class PortalUrlIT {
    @TempDir
    Path tmp;

    private LabbookOptions options() {
        return LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"));
    }

    @Test
    void runAndExperimentLinksAreBuiltFromTheServersPublicUrl(TestServer server) {
        String publicUrl = server.uiUrl().orElseThrow();
        assertThat(publicUrl).isEqualTo("http://localhost:" + server.httpPort());
        try (Labbook lb = Labbook.connect(server.target(), options())) {
            Experiment experiment = lb.experiment("portal");
            try (Run run = experiment.startRun("linked")) {
                assertThat(run.getPortalUrl()).contains(publicUrl + "/runs/" + run.id());
                assertThat(experiment.getPortalUrl())
                        .contains(publicUrl + "/experiments/" + run.experimentId() + "/runs");
            }
            // Asked once per client: the description is kept.
            assertThat(lb.client().server().info()).isSameAs(lb.client().server().info());
            assertThat(lb.client().server().info().version()).isNotEmpty();
        }
    }

    @Test
    void aConfiguredPublicUrlIsWhatLinksUse() {
        HttpConfig http = HttpConfig.on(0).withPublicUrl("https://labbook.example.com");
        try (RestartableServer server = new RestartableServer("labbook_portal_public", http).start();
                Labbook lb = Labbook.connect(server.target(), options());
                Run run = lb.experiment("portal").startRun("behind-ingress")) {
            assertThat(run.getPortalUrl()).contains("https://labbook.example.com/runs/" + run.id());
        }
    }

    @Test
    void aServerWithoutHttpPortGivesNoLink() {
        try (RestartableServer server = new RestartableServer("labbook_portal_off").start();
                Labbook lb = Labbook.connect(server.target(), options());
                Run run = lb.experiment("portal").startRun("no-ui")) {
            assertThat(lb.client().server().info().publicUrl()).isEmpty();
            assertThat(run.getPortalUrl()).isEmpty();
            assertThat(lb.experiment("portal").getPortalUrl()).isEmpty();
        }
    }

    @Test
    void anOfflineRunHasNoLink() {
        Labbook lb = Labbook.offline(tmp.resolve("offline"));
        try (Run run = lb.experiment("portal").startRun("offline")) {
            assertThat(run.getPortalUrl()).isEqualTo(Optional.empty());
        }
        assertThat(lb.experiment("portal").getPortalUrl()).isEmpty();
    }

    @Test
    void idsArePercentEncodedAsPathSegments() {
        ServerInfo info = new ServerInfo("0.1.0", Optional.of("http://ui.example/"));
        assertThat(info.runUrl("a b/ç")).contains("http://ui.example/runs/a%20b%2F%C3%A7");
        assertThat(new ServerInfo("0.1.0", Optional.of("")).runUrl("x")).isEmpty();
    }
}
