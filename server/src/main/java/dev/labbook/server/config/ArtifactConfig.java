package dev.labbook.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where artifacts go: an S3 bucket when an endpoint is configured, else the local directory
 * {@code localDir}. {@code maxArtifactBytes} caps one artifact; garbage collection runs every
 * {@code gcIntervalSeconds} (0: only after purges).
 */
public record ArtifactConfig(Path localDir, Optional<S3> s3, long maxArtifactBytes, int gcIntervalSeconds) {

    /** An S3-compatible bucket and its credentials. */
    public record S3(String endpoint, String region, String bucket, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "S3[" + endpoint + ", bucket=" + bucket + "]";
        }
    }

    /** Local store in {@code dir}, default limits. */
    public static ArtifactConfig local(Path dir) {
        return new ArtifactConfig(dir, Optional.empty(), 64L * 1024 * 1024 * 1024, 3600);
    }
}
