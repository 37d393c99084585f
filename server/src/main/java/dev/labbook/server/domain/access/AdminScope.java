package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.Limits;
import java.util.Collection;
import java.util.List;

/**
 * What an admin listing (tokens, audit events) may show a caller: the projects it administers,
 * or everything for an admin of every project.
 */
final class AdminScope {
    private AdminScope() {
    }

    /**
     * The projects to list.
     *
     * @param only the request's project filter, already validated; null: no filter
     * @return only {@code only} when the caller administers it; with no filter, null (everything)
     *     for an admin of {@value Principal#ALL_PROJECTS}, else the projects it administers
     * @throws PermissionDeniedException when the caller does not administer {@code only}
     */
    static Collection<String> of(Principal caller, String only, String what) {
        if (only != null) {
            if (!administers(caller, only)) {
                throw new PermissionDeniedException(ErrorReason.ROLE_MISSING, caller.name()
                        + " may not list the " + what + " of project '" + only + "': that needs the admin role there");
            }
            return List.of(only);
        }
        return caller.canEverywhere(Permission.ADMIN) ? null : caller.projectsWith(Permission.ADMIN);
    }

    /** Whether the caller is admin of the project ({@value Principal#ALL_PROJECTS}: of every project). */
    static boolean administers(Principal caller, String project) {
        return project.equals(Principal.ALL_PROJECTS)
                ? caller.canEverywhere(Permission.ADMIN) : caller.can(Permission.ADMIN, project);
    }

    /** A project name or {@value Principal#ALL_PROJECTS}; empty means {@value Limits#DEFAULT_PROJECT}. */
    static String projectOrAll(String field, String value) {
        return Principal.ALL_PROJECTS.equals(value) ? value : Limits.project(field, value);
    }
}
