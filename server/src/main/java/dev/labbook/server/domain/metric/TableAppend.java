package dev.labbook.server.domain.metric;

/** Outcome of a table append: the table's row count afterwards, and whether it was a duplicate (nothing stored). */
public record TableAppend(long rowCount, boolean duplicate) {
}
