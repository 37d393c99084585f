package dev.labbook.server.testing;

import java.io.IOException;

/**
 * Main class of the S3Mock JVM that {@link S3MockServer} starts: runs S3Mock's own launcher (the
 * Spring Boot jar's), and exits when its standard input closes, i.e. when the test JVM that
 * started it is gone, even killed, so that no S3Mock outlives its tests. Uses nothing but the JDK:
 * it is copied alone beside S3Mock's jar, keeping the tests' classpath out of S3Mock's JVM.
 */
public final class S3MockLauncher {
    private S3MockLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent writes nothing; EOF means it is gone
                }
            } catch (IOException gone) {
                // the same
            }
            System.exit(0);
        }, "s3mock-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Class.forName("org.springframework.boot.loader.launch.JarLauncher").getMethod("main", String[].class)
                .invoke(null, (Object) args);
    }
}
