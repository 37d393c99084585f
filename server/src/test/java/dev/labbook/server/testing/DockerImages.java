package dev.labbook.server.testing;

/**
 * Images of the opt-in Testcontainers ITs (run only where Docker is available): pinned, so that
 * such a run tests what the documentation says.
 */
public final class DockerImages {
    /** A PostgreSQL the server supports (14 or newer, helm/labbook/values.yaml). */
    public static final String POSTGRES = "postgres:16-alpine";
    public static final String MINIO = "minio/minio:RELEASE.2023-09-04T19-57-37Z";

    private DockerImages() {
    }
}
