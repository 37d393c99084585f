package dev.labbook.server.domain.access;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who a call comes from, once its credentials are verified, and the roles it holds.
 *
 * @param name what runs record as {@code creator} and the audit log as who: {@code token:<name>},
 *     {@code <namespace>/<serviceaccount>}, an OIDC email or subject, {@code anonymous}
 * @param method {@code token}, {@code jwt} or {@code none} (access control off)
 * @param roles role per project name; the key {@value #ALL_PROJECTS} stands for every project
 * @param expiresAt when the credentials stop being valid, if ever
 * @param tokenId the API token's id, for token principals
 */
public record Principal(String name, String method, Map<String, Role> roles, Optional<Instant> expiresAt,
        Optional<String> tokenId) {
    public static final String ALL_PROJECTS = "*";

    /** The caller of a server with access control off: admin of everything. */
    public static final Principal ANONYMOUS = new Principal("anonymous", "none", Map.of(ALL_PROJECTS, Role.ADMIN),
            Optional.empty(), Optional.empty());

    public Principal {
        roles = Map.copyOf(roles);
    }

    /** The caller's role in the project: the higher of its role there and its role in every project. */
    public Optional<Role> roleIn(String project) {
        Role specific = roles.get(project);
        Role everywhere = roles.get(ALL_PROJECTS);
        if (specific == null) {
            return Optional.ofNullable(everywhere);
        }
        return Optional.of(everywhere == null || specific.compareTo(everywhere) >= 0 ? specific : everywhere);
    }

    public boolean can(Permission permission, String project) {
        return roleIn(project).map(role -> role.grants(permission)).orElse(false);
    }

    /** Whether the permission holds in every project (an {@value #ALL_PROJECTS} role that grants it). */
    public boolean canEverywhere(Permission permission) {
        Role everywhere = roles.get(ALL_PROJECTS);
        return everywhere != null && everywhere.grants(permission);
    }

    /** The named projects where the permission holds (not {@value #ALL_PROJECTS}; see {@link #canEverywhere}). */
    public Set<String> projectsWith(Permission permission) {
        Set<String> projects = new TreeSet<>();
        roles.forEach((project, role) -> {
            if (!project.equals(ALL_PROJECTS) && role.grants(permission)) {
                projects.add(project);
            }
        });
        return projects;
    }

    /** Whether the permission holds in at least one project. */
    public boolean canSomewhere(Permission permission) {
        return canEverywhere(permission) || !projectsWith(permission).isEmpty();
    }
}
