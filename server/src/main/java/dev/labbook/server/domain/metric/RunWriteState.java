package dev.labbook.server.domain.metric;

/** Whether a run may receive data: it exists, and neither it nor its experiment is deleted. */
public record RunWriteState(boolean runDeleted, boolean experimentDeleted) {
}
