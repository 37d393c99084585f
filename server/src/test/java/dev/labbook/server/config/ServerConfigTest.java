package dev.labbook.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    private static final ServerConfig EXTERNAL = new ServerConfig("127.0.0.1", 7800, Path.of("/data"),
            Optional.of("jdbc:postgresql://db:5432/labbook"), "labbook", "secret", 10, 0, 1 << 24, 60, ArtifactConfig.local(Path.of("/data/artifacts")));

    @Test
    void usesTheEmbeddedDatabaseOnlyWithoutADbUrl() {
        assertThat(EXTERNAL.embeddedDatabase()).isFalse();
        assertThat(new ServerConfig("0.0.0.0", 7800, Path.of("/data"), Optional.empty(), "", "", 10, 0, 1 << 24, 60, ArtifactConfig.local(Path.of("/data/artifacts")))
                .embeddedDatabase()).isTrue();
    }

    @Test
    void withPortChangesOnlyThePort() {
        ServerConfig moved = EXTERNAL.withPort(0);

        assertThat(moved.port()).isZero();
        assertThat(moved).isEqualTo(new ServerConfig("127.0.0.1", 0, Path.of("/data"),
                Optional.of("jdbc:postgresql://db:5432/labbook"), "labbook", "secret", 10, 0, 1 << 24, 60, ArtifactConfig.local(Path.of("/data/artifacts"))));
        assertThat(EXTERNAL.port()).isEqualTo(7800);
    }
}
