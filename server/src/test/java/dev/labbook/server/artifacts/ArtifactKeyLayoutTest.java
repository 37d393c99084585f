package dev.labbook.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ArtifactKeyLayoutTest {
    private final UUID run = UUID.randomUUID();

    @Test
    void newKeysSitBelowTheirRunWithAFreshObjectId() {
        String first = ArtifactKeyLayout.newObjectKey(run, "plots/loss.png");
        String second = ArtifactKeyLayout.newObjectKey(run, "plots/loss.png");

        assertThat(first).startsWith(ArtifactKeyLayout.runPrefix(run)).endsWith("/plots/loss.png")
                .isNotEqualTo(second);
        assertThat(ArtifactKeyLayout.runPrefix(run)).startsWith(ArtifactKeyLayout.ALL_RUNS).endsWith("/");
        assertThat(ObjectKeys.require(first)).isEqualTo(first);
        assertThat(ArtifactKeyLayout.runOf(first)).contains(run);
    }

    @Test
    void keysNotLaidOutByLabbookBelongToNoRun() {
        assertThat(ArtifactKeyLayout.runOf("runs/not-a-uuid/x/file")).isEmpty();
        assertThat(ArtifactKeyLayout.runOf("runs/" + run)).isEmpty();
        assertThat(ArtifactKeyLayout.runOf("other/" + run + "/x/file")).isEmpty();
    }
}
