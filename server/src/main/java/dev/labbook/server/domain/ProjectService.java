package dev.labbook.server.domain;

import dev.labbook.server.store.TrackingStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Projects, derived from the experiments: a project exists while it holds an experiment
 * (deleted or not), and {@value Limits#DEFAULT_PROJECT} always exists. Listed by name.
 */
public final class ProjectService {
    private static final String FINGERPRINT = "projects";
    private final TrackingStore store;

    public ProjectService(TrackingStore store) {
        this.store = store;
    }

    /**
     * One page of projects in name order. Pages are positions in that order: a project created
     * or emptied between two calls may shift the later pages by one.
     */
    public Page<Project> list(int pageSize, String pageToken) {
        return list(pageSize, pageToken, Optional.empty());
    }

    /**
     * One page of the projects among {@code only} (all when empty), as {@link #list(int, String)}:
     * callers see the projects they hold a role in.
     */
    public Page<Project> list(int pageSize, String pageToken, Optional<Set<String>> only) {
        int size = Limits.pageSize("page_size", pageSize);
        long offset = PageTokens.decodePosition("page_token", pageToken, FINGERPRINT);
        List<Project> rows = store.inTransaction(
                tx -> tx.experiments().projects(Limits.DEFAULT_PROJECT, only, offset, size + 1));
        if (rows.size() <= size) {
            return new Page<>(rows, "");
        }
        return new Page<>(rows.subList(0, size), PageTokens.encodePosition(offset + size, FINGERPRINT));
    }

    /** The project; NOT_FOUND when it holds no experiment and is not the default project. */
    public Project get(String name) {
        String project = Limits.project("project", name);
        return store.inTransaction(tx -> tx.experiments().project(project)).orElseGet(() -> {
            if (project.equals(Limits.DEFAULT_PROJECT)) {
                return Project.empty(project);
            }
            // No reason of its own: a project is its experiments, and it has none.
            NotFoundException error = new NotFoundException(ErrorReason.PROJECT_NOT_FOUND,
                    "project '" + project + "' not found: it holds no experiment");
            error.about("project", project);
            throw error;
        });
    }
}
