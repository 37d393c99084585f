package dev.labbook.server.domain.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.testing.HostilePaths;
import dev.labbook.server.testing.HostilePaths.Hostile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactPathsTest {

    static Stream<Hostile> hostile() {
        return HostilePaths.all().stream();
    }

    static List<String> normal() {
        return List.of(
                "outputs/model.pt",
                "plots/loss curve.png",
                "données/été.csv",
                "a/b/c/d.txt",
                "model.pt",
                "checkpoints/epoch-0001/weights.safetensors",
                ".hidden",
                "a/.config/x",
                "...",
                "a/..b/c..",
                "50%/done.txt",
                "100%25 literal percent",
                "images/step_00042.png",
                "日本語/ファイル.txt",
                "emoji/🚀.json",
                "C/x",
                "ratio 1:2.txt",
                "name with ~ inside",
                "x".repeat(255),
                "abcd/".repeat(203) + "x".repeat(9),
                "é".repeat(127) + "e");
    }

    @Test
    void hostileListIsLargeEnough() {
        assertThat(HostilePaths.all()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("hostile")
    void refusesHostilePath(Hostile hostile) {
        assertThatThrownBy(() -> ArtifactPaths.validate("header.path", hostile.path()))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).isEqualTo("header.path"));
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> ArtifactPaths.validate("path", null)).isInstanceOf(InvalidArgumentException.class);
    }

    @ParameterizedTest(name = "accepts {0}")
    @MethodSource("normal")
    void acceptsNormalPath(String path) {
        assertThat(ArtifactPaths.validate("header.path", path)).isEqualTo(path);
    }

    @Test
    void limitsCountUtf8BytesExactly() {
        String maxPath = "abcd/".repeat(204) + "abcd"; // 1024 bytes
        assertThat(maxPath.getBytes(StandardCharsets.UTF_8)).hasSize(ArtifactPaths.MAX_PATH_BYTES);
        assertThat(ArtifactPaths.validate("p", maxPath)).isEqualTo(maxPath);
        assertThatThrownBy(() -> ArtifactPaths.validate("p", maxPath + "e"))
                .isInstanceOf(InvalidArgumentException.class);

        String maxSegment = "é".repeat(127) + "e"; // 255 bytes
        assertThat(maxSegment.getBytes(StandardCharsets.UTF_8)).hasSize(ArtifactPaths.MAX_SEGMENT_BYTES);
        assertThat(ArtifactPaths.validate("p", "a/" + maxSegment)).isEqualTo("a/" + maxSegment);
        assertThatThrownBy(() -> ArtifactPaths.validate("p", "a/" + maxSegment + "e"))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
