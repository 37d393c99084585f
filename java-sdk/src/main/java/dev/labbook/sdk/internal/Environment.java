package dev.labbook.sdk.internal;

import java.nio.file.Path;
import java.util.Map;

/**
 * What credential resolution reads from the process: environment variables and the home
 * directory. Tests pass their own instead of the JVM's.
 */
public record Environment(Map<String, String> variables, Path home) {
    public static Environment system() {
        return new Environment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The variable's value, or null when unset or blank. */
    public String get(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
