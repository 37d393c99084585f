package dev.labbook.server.store;

import dev.labbook.server.domain.search.RunQuery;
import dev.labbook.server.domain.search.RunWithMetrics;
import dev.labbook.server.domain.search.SearchCursor;
import dev.labbook.server.domain.search.SearchHit;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Read-only queries over runs for search and comparison. Each call reads in its own
 * transaction (one consistent snapshot), outside {@link TrackingStore}'s write transactions.
 */
public interface RunSearchStore {
    /** Up to {@code limit} matching runs in the query's order, strictly after {@code after} when given. */
    List<SearchHit> search(RunQuery query, SearchCursor after, int limit);

    /** The runs with these ids, deleted ones included, in no particular order; unknown ids are absent. */
    List<RunWithMetrics> load(Collection<UUID> runIds);
}
