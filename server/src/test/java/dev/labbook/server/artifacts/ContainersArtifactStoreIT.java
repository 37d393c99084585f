package dev.labbook.server.artifacts;

import dev.labbook.server.testing.DockerImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The whole {@link ArtifactStoreContract} through {@link S3ArtifactStore} against MinIO in a
 * container (Testcontainers): opt-in, on machines with Docker; without Docker it is skipped,
 * and the embedded servers (S3Proxy, S3Mock) remain the default.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersArtifactStoreIT extends ArtifactStoreContract {
    @Container
    private static final MinIOContainer MINIO = new MinIOContainer(DockerImages.MINIO);

    private static Path base;
    private static S3ArtifactStore store;

    @BeforeAll
    static void openStore() throws IOException {
        base = Files.createTempDirectory("labbook-minio-it");
        store = new S3ArtifactStore(MINIO.getS3URL(), "us-east-1", "labbook-store", MINIO.getUserName(),
                MINIO.getPassword());
    }

    @AfterAll
    static void closeStore() throws IOException {
        if (store != null) {
            store.close();
        }
        if (base != null) {
            try (var walk = Files.walk(base)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected Path canaryDir() {
        return base.resolve("canary");
    }
}
