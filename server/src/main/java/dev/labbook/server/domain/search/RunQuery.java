package dev.labbook.server.domain.search;

import dev.labbook.server.domain.Lifecycle;
import java.util.List;
import java.util.UUID;

/**
 * A parsed search: the scope (the given experiments, or every experiment of {@code project}
 * when {@code experimentIds} is empty), an optional filter, the order keys (empty means newest
 * first) and the lifecycle of the runs. Ties in any order are broken by run id, newest first.
 */
public record RunQuery(List<UUID> experimentIds, String project, Filter filter, List<OrderKey> order,
        Lifecycle lifecycle) {
    public RunQuery {
        experimentIds = List.copyOf(experimentIds);
        order = List.copyOf(order);
    }

    /** A canonical description of everything that decides the result order and membership. */
    String fingerprint() {
        return "search|" + experimentIds + "|" + project + "|" + filter + "|" + order + "|" + lifecycle;
    }
}
