package dev.labbook.server.grpc;

import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.DockerImages;
import dev.labbook.server.testing.S3TestServer;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link S3ArtifactServerContract} on PostgreSQL and MinIO containers (Testcontainers): opt-in,
 * on machines with Docker; without Docker it is skipped, and the embedded PostgreSQL with
 * S3Proxy or S3Mock remain the default.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersArtifactServerIT extends S3ArtifactServerContract {
    @Container
    private static final PostgreSQLContainer<?> POSTGRES = new PostgreSQLContainer<>(DockerImages.POSTGRES);

    @Container
    private static final MinIOContainer MINIO = new MinIOContainer(DockerImages.MINIO);

    @Override
    S3TestServer s3() {
        return new S3TestServer() {
            @Override
            public String endpoint() {
                return MINIO.getS3URL();
            }

            @Override
            public String accessKey() {
                return MINIO.getUserName();
            }

            @Override
            public String secretKey() {
                return MINIO.getPassword();
            }
        };
    }

    @Override
    String bucket() {
        return "labbook-server-it";
    }

    /** The container's one database; the server's migrations are idempotent. */
    @Override
    DatabaseEndpoint database() {
        return new DatabaseEndpoint(POSTGRES.getJdbcUrl(), POSTGRES.getUsername(), POSTGRES.getPassword());
    }
}
