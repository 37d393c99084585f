package dev.labbook.server.domain.search;

/** One run of a search result and the cursor positioned on it. */
public record SearchHit(RunWithMetrics run, SearchCursor cursor) {
}
