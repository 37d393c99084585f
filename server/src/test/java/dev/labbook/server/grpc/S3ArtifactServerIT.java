package dev.labbook.server.grpc;

import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.S3ProxyServer;
import dev.labbook.server.testing.S3TestServer;
import dev.labbook.server.testing.SharedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link S3ArtifactServerContract} against S3Proxy in this JVM (V4 signatures checked). S3Proxy
 * answers ListMultipartUploads with 501 as minio-java asks, so here a garbage collection pass
 * must fail as a storage error; {@link S3MockArtifactServerIT} runs the collection for real.
 */
class S3ArtifactServerIT extends S3ArtifactServerContract {
    private static Path s3Dir;
    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws IOException {
        s3Dir = Files.createTempDirectory("labbook-s3proxy");
        s3 = S3ProxyServer.start(s3Dir);
    }

    @AfterAll
    static void stopS3() throws IOException {
        if (s3 != null) {
            s3.close();
        }
        try (var walk = Files.walk(s3Dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    S3TestServer s3() {
        return s3;
    }

    @Override
    String bucket() {
        return "labbook-it";
    }

    private static DatabaseEndpoint database;

    /** One database for the class (migrated by the first server): its tests use runs of their own. */
    @Override
    DatabaseEndpoint database() {
        if (database == null) {
            database = SharedPostgres.newDatabase("labbook_s3_it");
        }
        return database;
    }

    @Override
    boolean listsMultipartUploads() {
        return false;
    }
}
