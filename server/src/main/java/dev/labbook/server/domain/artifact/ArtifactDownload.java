package dev.labbook.server.domain.artifact;

import java.io.InputStream;

/** An artifact's metadata and its bytes from the requested offset; the caller closes the stream. */
public record ArtifactDownload(Artifact artifact, InputStream content) {
}
