package dev.labbook.server.domain.search;

/** One ORDER BY key. Runs without a value for the key always come last (NULLS LAST). */
public record OrderKey(SearchField field, boolean descending) {
}
