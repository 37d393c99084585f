package dev.labbook.server.testing;

/**
 * An S3 API server that tests point an {@code S3ArtifactStore} (or a whole server) at: S3Proxy in
 * this JVM ({@link S3ProxyServer}), S3Mock in a JVM of its own ({@link S3MockServer}) or MinIO in
 * a container. Tests use buckets of their own on it.
 */
public interface S3TestServer {
    /** {@code http://127.0.0.1:PORT}. */
    String endpoint();

    String accessKey();

    String secretKey();
}
