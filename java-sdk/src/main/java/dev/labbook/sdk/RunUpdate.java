package dev.labbook.sdk;

/**
 * Changes to a run's own fields for {@link RunsApi#update}: a null field stays as it is. The
 * status is not among them: it changes through start, finish, cancel and resume.
 */
public record RunUpdate(String name, String description) {
    /** Renames the run (unique in its experiment, compared without case). */
    public static RunUpdate name(String name) {
        return new RunUpdate(name, null);
    }

    public static RunUpdate description(String description) {
        return new RunUpdate(null, description);
    }

    public RunUpdate withName(String n) {
        return new RunUpdate(n, description);
    }

    public RunUpdate withDescription(String d) {
        return new RunUpdate(name, d);
    }
}
