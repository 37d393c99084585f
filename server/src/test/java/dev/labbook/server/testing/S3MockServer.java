package dev.labbook.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * S3Mock (Adobe's S3 API server for tests, a Spring Boot application) in a JVM of its own, one
 * for the whole test JVM: started on first use, stopped at JVM exit. Unlike S3Proxy it answers
 * {@code ListMultipartUploads} with delimiter, max-uploads and markers, so the pending-upload
 * listing and the garbage collection that relies on it run against a real S3 API.
 *
 * <p>A separate process because S3Mock's own classpath (Spring Boot, Tomcat, the AWS SDK, Kotlin,
 * its Jackson) would clash with the server's (Netty, gRPC, Armeria, Jackson); S3Mock's authors
 * advise against starting it in the tested JVM for that reason. Its executable jar comes from
 * Maven Central ({@code com.adobe.testing:s3mock:<version>:exec}), copied by the server module's
 * build to {@code target/s3mock/s3mock-exec.jar} (system property {@code labbook.s3mock.jar}).
 * S3Mock does not check signatures: any key pair is accepted. Tests use buckets of their own.
 * The child exits when this JVM is gone, even after a SIGKILL ({@link S3MockLauncher}).
 */
public final class S3MockServer implements S3TestServer {
    public static final String ACCESS_KEY = "labbook-test-access-key";
    public static final String SECRET_KEY = "labbook-test-secret-key-0123456789";
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);
    /** Settings S3Mock also reads from the environment: the child must not inherit them. */
    private static final List<String> INHERITED_SETTINGS = List.of("root", "initialBuckets", "validKmsKeys",
            "retainFilesOnExit", "debug", "trace", "http.port", "server.port");

    private static S3MockServer shared;

    private final Process process;
    private final int port;
    private final Path dir;

    private S3MockServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** The server of this test JVM, started by the first caller (a few seconds). */
    public static synchronized S3MockServer shared() {
        if (shared == null || !shared.process.isAlive()) {
            S3MockServer started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "s3mock-stop"));
            shared = started;
        }
        return shared;
    }

    private static S3MockServer start() {
        Path jar = jar();
        Path dir;
        try {
            dir = Files.createTempDirectory("labbook-s3mock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("s3mock.log");
        Path launcher = copyLauncher(dir.resolve("launcher"));
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) { // a free port may be taken before S3Mock binds it
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                    "-cp", launcher + java.io.File.pathSeparator + jar, S3MockLauncher.class.getName(),
                    "--com.adobe.testing.s3mock.httpPort=" + port,
                    "--server.port=0", "--server.address=127.0.0.1", // its HTTPS port: unused
                    "--com.adobe.testing.s3mock.store.root=" + dir.resolve("root"),
                    "--com.adobe.testing.s3mock.store.retainFilesOnExit=false",
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeAll(INHERITED_SETTINGS);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start S3Mock from " + jar, e);
            }
            if (awaitReady(process, port)) {
                return new S3MockServer(process, port, dir);
            }
            process.destroyForcibly();
            failure = new IllegalStateException("S3Mock did not start on port " + port + " (attempt " + attempt
                    + "); its output:\n" + tail(log));
        }
        deleteRecursively(dir);
        throw failure;
    }

    /** {@link S3MockLauncher}'s class file alone in a directory of its own, for the child's classpath. */
    private static Path copyLauncher(Path classes) {
        String file = S3MockLauncher.class.getSimpleName() + ".class";
        Path target = classes.resolve(S3MockLauncher.class.getPackageName().replace('.', '/')).resolve(file);
        try (var in = S3MockLauncher.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("class file " + file + " not found");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return classes;
    }

    /** The executable jar from the build, or a clear message on how to get it. */
    private static Path jar() {
        Path jar = Path.of(System.getProperty("labbook.s3mock.jar", "target/s3mock/s3mock-exec.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Mock's executable jar is missing at " + jar.toAbsolutePath()
                    + ": run the server module's Maven build (its pre-integration-test phase copies it from "
                    + "com.adobe.testing:s3mock:exec), or set -Dlabbook.s3mock.jar");
        }
        return jar;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls ListBuckets until it answers 200, the process dies or the time is up. */
    private static boolean awaitReady(Process process, int port) {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/")
                        .toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                try {
                    if (connection.getResponseCode() == 200) {
                        return true;
                    }
                } finally {
                    connection.disconnect();
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    private void stop() {
        process.destroy(); // SIGTERM: Spring shuts down and S3Mock deletes its root
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }
}
