package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArtifactLocationTest {
    private static final String RUN = "01a24ea5-9acd-72bb-a290-ecb74c466183";

    @Test
    void aRunsArtifactPathSplitsIntoExperimentRunAndPath() {
        assertThat(ArtifactLocation.parse("7/" + RUN + "/artifacts/models/m-1/MLmodel"))
                .isEqualTo(new ArtifactLocation("7", RUN, "models/m-1/MLmodel"));
        assertThat(ArtifactLocation.parse("7/" + RUN.toUpperCase() + "/artifacts"))
                .isEqualTo(new ArtifactLocation("7", RUN, ""));
        assertThat(ArtifactLocation.parse("7/" + RUN + "/artifacts/")).extracting(ArtifactLocation::path).isEqualTo("");
        assertThat(ArtifactLocation.fromUrlPath("7/" + RUN + "/artifacts/a%20b+c/%C3%A9.txt").path()).isEqualTo("a b+c/é.txt");
    }

    @Test
    void otherShapesSayWhereLabbookKeepsFiles() {
        assertThatThrownBy(() -> ArtifactLocation.parse("7/models/m-1/artifacts/MLmodel"))
                .isInstanceOfSatisfying(MlflowException.class, e -> {
                    assertThat(e.code()).isEqualTo(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST);
                    assertThat(e.getMessage()).contains("<experiment id>/<run id>/artifacts/models/<model id>/");
                });
        for (String bad : new String[] {"7", "7/" + RUN, "7/" + RUN + "/other/x", "/" + RUN + "/artifacts/x"}) {
            assertThatThrownBy(() -> ArtifactLocation.parse(bad)).as(bad).isInstanceOfSatisfying(MlflowException.class,
                    e -> assertThat(e.code()).isEqualTo(MlflowErrorCode.INVALID_PARAMETER_VALUE));
        }
        assertThatThrownBy(() -> ArtifactLocation.parse("7/5cea7df31c1d4f72a5ff6e02b6ad47c9/artifacts/x"))
                .isInstanceOfSatisfying(MlflowException.class,
                        e -> assertThat(e.code()).isEqualTo(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST));
    }

    @Test
    void pathsThatCouldLeaveTheRunAreRefused() {
        for (String bad : new String[] {"../x", "a/../../x", "a/./b", "a//b", "/etc/passwd", "a\\b", "~/x", "a/", "a\0b"}) {
            assertThatThrownBy(() -> ArtifactLocation.parse("7/" + RUN + "/artifacts/" + bad)).as(bad)
                    .isInstanceOfSatisfying(MlflowException.class,
                            e -> assertThat(e.code()).isEqualTo(MlflowErrorCode.INVALID_PARAMETER_VALUE));
        }
        for (String bad : new String[] {"%2E%2E/x", "a%2F..%2F..%2Fx", "%5C", "%2", "%zz", "%C3"}) {
            assertThatThrownBy(() -> ArtifactLocation.fromUrlPath("7/" + RUN + "/artifacts/" + bad)).as(bad)
                    .isInstanceOfSatisfying(MlflowException.class,
                            e -> assertThat(e.code()).isEqualTo(MlflowErrorCode.INVALID_PARAMETER_VALUE));
        }
    }

    @Test
    void downloadsGetMlflowsContentTypes() {
        assertThat(MlflowArtifacts.mediaTypeOf("MLmodel").toString()).startsWith("text/plain");
        assertThat(MlflowArtifacts.mediaTypeOf("conda.yaml").toString()).startsWith("text/plain");
        assertThat(MlflowArtifacts.mediaTypeOf("d.json").toString()).startsWith("text/plain");
        assertThat(MlflowArtifacts.mediaTypeOf("fig.png").toString()).isEqualTo("image/png");
        assertThat(MlflowArtifacts.mediaTypeOf("plot.svg").toString()).isEqualTo("image/svg+xml");
        assertThat(MlflowArtifacts.mediaTypeOf("estimator.html").toString()).startsWith("text/html");
        assertThat(MlflowArtifacts.mediaTypeOf("model.pkl").toString()).isEqualTo("application/octet-stream");
        assertThat(MlflowArtifacts.mediaTypeOf("noextension").toString()).isEqualTo("application/octet-stream");
    }
}
