package dev.labbook.sdk;

import java.util.List;

/**
 * A {@code SearchRuns} query (language in docs/search.md): a filter such as
 * {@code params.lr < 0.01 AND metrics.val_acc >= 0.9}, order-by terms such as
 * {@code metrics.val_loss ASC}, within a project or some experiments.
 *
 * @param maxResults 0 for no cap; 1 gives the best run
 */
public record RunSearch(String project, List<String> experimentIds, String filter, List<String> orderBy, int pageSize,
        int maxResults, boolean includeDeleted) {
    public RunSearch {
        project = project == null ? "" : project;
        experimentIds = experimentIds == null ? List.of() : List.copyOf(experimentIds);
        filter = filter == null ? "" : filter;
        orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
    }

    public static RunSearch inProject(String project) {
        return new RunSearch(project, List.of(), "", List.of(), 0, 0, false);
    }

    public static RunSearch inExperiments(String... experimentIds) {
        return new RunSearch("", List.of(experimentIds), "", List.of(), 0, 0, false);
    }

    public RunSearch filter(String f) {
        return new RunSearch(project, experimentIds, f, orderBy, pageSize, maxResults, includeDeleted);
    }

    public RunSearch orderBy(String... terms) {
        return new RunSearch(project, experimentIds, filter, List.of(terms), pageSize, maxResults, includeDeleted);
    }

    public RunSearch pageSize(int n) {
        return new RunSearch(project, experimentIds, filter, orderBy, n, maxResults, includeDeleted);
    }

    public RunSearch maxResults(int n) {
        return new RunSearch(project, experimentIds, filter, orderBy, pageSize, n, includeDeleted);
    }

    public RunSearch includeDeleted(boolean b) {
        return new RunSearch(project, experimentIds, filter, orderBy, pageSize, maxResults, b);
    }
}
