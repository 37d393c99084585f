package dev.labbook.sdk;

/**
 * A file or reference of a run. {@code step} is null unless the artifact is an image of a series;
 * {@code uri} is set for references only.
 */
public record Artifact(String runId, String path, Direction direction, boolean reference, long sizeBytes,
        String sha256, String mediaType, Long step, String uri, long createTimeMs) {
}
