package dev.labbook.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * The S3 server of {@code bench/run artifacts}: S3Proxy over the jclouds "filesystem" blob store
 * in {@code --dir}, plain HTTP on a free port of 127.0.0.1, AWS V2/V4 signatures with the given
 * key. Prints {@code s3proxy listening on port N} on stdout once it serves, then runs until it is
 * terminated (SIGTERM stops it cleanly).
 */
public final class S3ProxyMain {
    private S3ProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        String dir = null;
        String accessKey = null;
        String secretKey = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = args[i + 1];
                case "--access-key" -> accessKey = args[i + 1];
                case "--secret-key" -> secretKey = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null || accessKey == null || secretKey == null) {
            System.err.println("usage: S3ProxyMain --dir DIR --access-key KEY --secret-key SECRET");
            System.exit(2);
        }
        quietLogging();
        Path base = Files.createDirectories(Path.of(dir)).toAbsolutePath();
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, base.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(5);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                System.err.println("stopping S3Proxy failed: " + e);
            } finally {
                context.close();
                stopped.countDown();
            }
        }, "s3proxy-stop"));
        System.out.println("s3proxy listening on port " + proxy.getPort());
        System.out.flush();
        stopped.await();
    }

    /** Without a configuration logback logs DEBUG: every request, which would cost time. */
    private static void quietLogging() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
