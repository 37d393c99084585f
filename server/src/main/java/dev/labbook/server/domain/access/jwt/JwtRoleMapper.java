package dev.labbook.server.domain.access.jwt;

import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.domain.access.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The roles of a JWT principal: of every {@code --jwt-roles} binding that matches it
 * ({@code ns/*} matches every ServiceAccount of ns and no other kind of principal), the highest
 * role per project. No binding: no
 * roles (the principal is authenticated, and every call needing a role is denied).
 */
public final class JwtRoleMapper {
    private final List<Binding> bindings;

    private record Binding(AuthConfig.JwtRoleBinding config, Role role) {
    }

    public JwtRoleMapper(List<AuthConfig.JwtRoleBinding> bindings) {
        this.bindings = bindings.stream().map(b -> new Binding(b, Role.parse("jwt-roles", b.role()))).toList();
    }

    public Map<String, Role> rolesOf(JwtPrincipal principal) {
        Map<String, Role> roles = new HashMap<>();
        for (Binding binding : bindings) {
            if (binding.config().matches(principal.name(), principal.serviceAccount())) {
                roles.merge(binding.config().project(), binding.role(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        return roles;
    }
}
