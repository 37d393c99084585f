package dev.labbook.server.domain;

import java.time.Instant;

/**
 * What an experiment's runs amount to, for overviews: {@code runCount} counts the runs that are
 * not soft-deleted; {@code lastRunUpdatedAt} is the latest update time of any of its runs,
 * soft-deleted ones included (deleting a run is activity too), and null when it has none.
 */
public record RunActivity(long runCount, Instant lastRunUpdatedAt) {
    /** An experiment without runs. */
    public static final RunActivity NONE = new RunActivity(0, null);
}
