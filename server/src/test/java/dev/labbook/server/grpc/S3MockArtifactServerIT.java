package dev.labbook.server.grpc;

import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.S3MockServer;
import dev.labbook.server.testing.S3TestServer;
import dev.labbook.server.testing.SharedPostgres;

/**
 * {@link S3ArtifactServerContract} against S3Mock (a JVM of its own, shared by the test JVM),
 * which lists multipart uploads: the garbage collection of unfinished uploads runs for real.
 */
class S3MockArtifactServerIT extends S3ArtifactServerContract {
    @Override
    S3TestServer s3() {
        return S3MockServer.shared();
    }

    @Override
    String bucket() {
        return "labbook-server-it";
    }

    private static DatabaseEndpoint database;

    /** One database for the class (migrated by the first server): its tests use runs of their own. */
    @Override
    DatabaseEndpoint database() {
        if (database == null) {
            database = SharedPostgres.newDatabase("labbook_s3mock_it");
        }
        return database;
    }
}
