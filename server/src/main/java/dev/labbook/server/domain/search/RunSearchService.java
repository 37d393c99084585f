package dev.labbook.server.domain.search;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.store.RunSearchStore;
import dev.labbook.server.store.TrackingStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * SearchRuns and CompareRuns: parses and checks the request, pages with signed keyset tokens,
 * and honours {@code max_results} across pages. The query itself is compiled by the store.
 */
public final class RunSearchService {
    public static final int MAX_EXPERIMENT_IDS = 100;
    public static final int MAX_ORDER_KEYS = 10;
    public static final int MIN_COMPARED_RUNS = 2;
    public static final int MAX_COMPARED_RUNS = 100;

    private final TrackingStore store;
    private final RunSearchStore search;
    private final SearchTokens tokens;

    public RunSearchService(TrackingStore store, RunSearchStore search, SearchTokens tokens) {
        this.store = store;
        this.search = search;
        this.tokens = tokens;
    }

    /** A SearchRuns request in domain terms; {@code maxResults} 0 means no cap. */
    public record SearchRequest(List<UUID> experimentIds, String project, String filter, List<String> orderBy,
            int pageSize, String pageToken, Lifecycle lifecycle, int maxResults) {
    }

    /** One page; {@code nextPageToken} is empty on the last page (or once max_results is reached). */
    public record SearchPage(List<RunWithMetrics> runs, String nextPageToken) {
    }

    public SearchPage search(SearchRequest request) {
        RunQuery query = query(request);
        int pageSize = Limits.pageSize("page_size", request.pageSize());
        if (request.maxResults() < 0) {
            throw new InvalidArgumentException("max_results", "must not be negative (0 means no cap)");
        }
        // max_results decides where the search ends, so a token must not outlive a change of it.
        String fingerprint = query.fingerprint() + "|max=" + request.maxResults();
        SearchTokens.Position position = tokens.decode("page_token", request.pageToken(), fingerprint);
        long returned = position == null ? 0 : position.returned();
        long limit = pageSize;
        if (request.maxResults() > 0) {
            limit = Math.min(limit, request.maxResults() - returned);
        }
        if (limit <= 0) {
            return new SearchPage(List.of(), "");
        }
        if (!query.experimentIds().isEmpty()) {
            requireExperiments(query.experimentIds());
        }
        List<SearchHit> hits = search.search(query, position == null ? null : position.cursor(), (int) limit + 1);
        boolean more = hits.size() > limit;
        List<SearchHit> page = more ? hits.subList(0, (int) limit) : hits;
        long total = returned + page.size();
        String next = "";
        if (more && (request.maxResults() == 0 || total < request.maxResults())) {
            next = tokens.encode(new SearchTokens.Position(page.get(page.size() - 1).cursor(), total), fingerprint);
        }
        return new SearchPage(page.stream().map(SearchHit::run).toList(), next);
    }

    /** The runs in request order, with the differences between them. */
    public RunComparison compare(List<UUID> runIds) {
        if (runIds.size() < MIN_COMPARED_RUNS || runIds.size() > MAX_COMPARED_RUNS) {
            throw new InvalidArgumentException("run_ids", "must name " + MIN_COMPARED_RUNS + "-" + MAX_COMPARED_RUNS
                    + " runs, got " + runIds.size());
        }
        Set<UUID> distinct = new LinkedHashSet<>(runIds);
        if (distinct.size() != runIds.size()) {
            throw new InvalidArgumentException("run_ids", "names a run more than once");
        }
        Map<UUID, RunWithMetrics> byId = new HashMap<>();
        search.load(distinct).forEach(r -> byId.put(r.run().id(), r));
        List<RunWithMetrics> ordered = new ArrayList<>(runIds.size());
        for (UUID id : runIds) {
            RunWithMetrics run = byId.get(id);
            if (run == null) {
                throw RunGuards.notFound(id);
            }
            ordered.add(run);
        }
        return RunComparison.of(ordered);
    }

    /** The checked query of a request; package-private for the parser's fuzz test. */
    static RunQuery query(SearchRequest request) {
        List<UUID> experimentIds = request.experimentIds();
        if (experimentIds.size() > MAX_EXPERIMENT_IDS) {
            throw new InvalidArgumentException("experiment_ids", "has " + experimentIds.size()
                    + " ids; at most " + MAX_EXPERIMENT_IDS + " allowed (or search the whole project)");
        }
        // The order of the ids does not matter; sorting keeps tokens valid when a client reorders them.
        List<UUID> scope = experimentIds.stream().distinct().sorted().toList();
        String project = scope.isEmpty() ? Limits.project("project", request.project()) : null;
        Filter filter;
        try {
            filter = FilterParser.parseFilter(request.filter());
        } catch (FilterSyntaxException e) {
            throw new InvalidArgumentException(ErrorReason.INVALID_FILTER, "filter",
                    "syntax error at column " + e.column() + ": " + e.reason()).with("column", e.column());
        }
        if (request.orderBy().size() > MAX_ORDER_KEYS) {
            throw new InvalidArgumentException("order_by", "has " + request.orderBy().size()
                    + " keys; at most " + MAX_ORDER_KEYS + " allowed");
        }
        List<OrderKey> order = new ArrayList<>();
        for (int i = 0; i < request.orderBy().size(); i++) {
            try {
                order.add(FilterParser.parseOrderKey(request.orderBy().get(i)));
            } catch (FilterSyntaxException e) {
                throw new InvalidArgumentException(ErrorReason.INVALID_FILTER, "order_by[" + i + "]",
                        "syntax error at column " + e.column() + ": " + e.reason()).with("column", e.column());
            }
        }
        return new RunQuery(scope, project, filter, order, request.lifecycle());
    }

    private void requireExperiments(List<UUID> ids) {
        store.inTransaction(tx -> {
            for (UUID id : ids) {
                if (tx.experiments().findById(id, false).isEmpty()) {
                    throw new NotFoundException(ErrorReason.EXPERIMENT_NOT_FOUND, "experiment " + id + " not found");
                }
            }
            return null;
        });
    }
}
