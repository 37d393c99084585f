package dev.labbook.server.domain.metric;

/** Outcome of one batch: committed, or skipped as a duplicate of an already committed one. */
public record IngestResult(boolean duplicate, int points) {
}
