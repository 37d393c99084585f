package dev.labbook.server.domain.access;

import java.util.Map;
import java.util.Optional;

/** Principals for tests of who may do what. */
final class Principals {
    private Principals() {
    }

    static Principal of(String name, Map<String, Role> roles) {
        return new Principal(name, "token", roles, Optional.empty(), Optional.empty());
    }

    static Principal of(String name, String project, Role role) {
        return of(name, Map.of(project, role));
    }
}
