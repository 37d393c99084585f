package dev.labbook.sdk;

/** A role granted in a project ({@code *}: every project). */
public record RoleBinding(String project, Role role) {
    @Override
    public String toString() {
        return project + ":" + (role == null ? "?" : role.label());
    }
}
