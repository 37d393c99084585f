package dev.labbook.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * A real S3 API server in this JVM: S3Proxy over the jclouds "filesystem" blob store (a
 * directory), plain HTTP on a free port of 127.0.0.1, AWS V2/V4 signatures with a fixed key.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
 *     new S3ArtifactStore(s3.endpoint(), "us-east-1", "bucket", s3.accessKey(), s3.secretKey());
 * }
 * }</pre>
 */
public final class S3ProxyServer implements S3TestServer, AutoCloseable {
    public static final String ACCESS_KEY = "labbook-test-access-key";
    public static final String SECRET_KEY = "labbook-test-secret-key-0123456789";

    private final Path dir;
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3ProxyServer(Path dir, BlobStoreContext context, S3Proxy proxy) {
        this.dir = dir;
        this.context = context;
        this.proxy = proxy;
    }

    /** Starts a server whose buckets are subdirectories of {@code dir} (created when missing). */
    public static S3ProxyServer start(Path dir) {
        return start(dir, 0);
    }

    /**
     * Starts a server on {@code port} (0: a free one), e.g. again on the port of one that was
     * stopped, over the same directory.
     */
    public static S3ProxyServer start(Path dir, int port) {
        Path base;
        try {
            base = Files.createDirectories(dir).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, base.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            try {
                proxy.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            context.close();
            throw new IllegalStateException("cannot start S3Proxy in " + base, e);
        }
        return new S3ProxyServer(base, context, proxy);
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public int port() {
        return proxy.getPort();
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    /**
     * Ids of the bucket's unfinished multipart uploads, asked of the blob store directly:
     * S3Proxy 2.6.0 answers ListMultipartUploads with 501 Not Implemented when the request has
     * delimiter, max-uploads or marker parameters, and minio-java always sends the first two.
     */
    public List<String> multipartUploadIds(String bucket) {
        return context.getBlobStore().listMultipartUploads(bucket).stream().map(MultipartUpload::id).toList();
    }

    /** The directory holding the buckets (one subdirectory each). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping S3Proxy failed", e);
        } finally {
            context.close();
        }
    }
}
