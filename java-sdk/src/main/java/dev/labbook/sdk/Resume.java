package dev.labbook.sdk;

/** What opening a run by name does when the experiment already has a run of that name. */
public enum Resume {
    /** Resume it if it exists, create it otherwise (the default). */
    ALLOW,
    /** Only create: an existing name fails with {@link AlreadyExistsException} (reason RUN_ALREADY_EXISTS). */
    NEVER,
    /** Only resume: a missing name fails with {@link NotFoundException} (reason RUN_NOT_FOUND). */
    MUST
}
