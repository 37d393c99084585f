package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import java.util.Map;

/** Decides whether a principal may exercise a permission in a set of projects. */
public final class AccessPolicy {
    private AccessPolicy() {
    }

    /**
     * @param projects each project the call touches, with how the caller named it: the project's
     *     name is only told to a caller that named it or holds a role in it (a run id of another
     *     project must not reveal that project's name)
     * @throws PermissionDeniedException naming the principal, the permission, the role it needs and
     *     the first project where the principal lacks it
     */
    public static void require(Principal principal, Permission permission, Map<String, ProjectRef> projects) {
        projects.forEach((project, ref) -> {
            boolean allowed = project.equals(Principal.ALL_PROJECTS)
                    ? principal.canEverywhere(permission)
                    : principal.can(permission, project);
            if (!allowed) {
                throw denied(principal, permission, project, ref);
            }
        });
    }

    /**
     * How a call named a project.
     *
     * @param byName whether the caller gave the project's name itself
     * @param via otherwise the field and value that led to it, e.g. {@code run_id 0192...}
     */
    public record ProjectRef(boolean byName, String via) {
        public static ProjectRef named() {
            return new ProjectRef(true, "");
        }

        public static ProjectRef via(String field, String value) {
            return new ProjectRef(false, field + " " + value);
        }
    }

    /** For calls not about one project: the permission must hold in at least one project. */
    public static void requireSomewhere(Principal principal, Permission permission) {
        if (permission != Permission.PUBLIC && permission != Permission.AUTHENTICATED
                && !principal.canSomewhere(permission)) {
            throw denied(principal, permission, null, ProjectRef.named());
        }
    }

    private static PermissionDeniedException denied(Principal principal, Permission permission, String project,
            ProjectRef ref) {
        Role needed = Role.lowestGranting(permission);
        boolean tell = project != null && (ref.byName() || principal.roleIn(project).isPresent());
        String where = project == null ? "in any project"
                : project.equals(Principal.ALL_PROJECTS) ? "in every project (*)"
                : tell ? "in project '" + project + "'" : "in the project of " + ref.via();
        String has = project == null || project.equals(Principal.ALL_PROJECTS) ? ""
                : principal.roleIn(project).map(r -> " (it is " + r.key() + " there)").orElse(" (it has no role there)");
        PermissionDeniedException e = new PermissionDeniedException(ErrorReason.ROLE_MISSING,
                principal.name() + " may not " + permission.name().toLowerCase(java.util.Locale.ROOT) + " " + where
                        + ": that needs the " + needed.key() + " role" + has);
        e.with("permission", permission.name()).with("principal", principal.name());
        if (tell) {
            e.with("project", project);
        }
        return e;
    }
}
