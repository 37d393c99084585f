package dev.labbook.sdk;

import java.util.List;

/** A run with its status history (oldest first). */
public record RunDetails(RunInfo run, List<StatusChange> statusHistory) {
}
