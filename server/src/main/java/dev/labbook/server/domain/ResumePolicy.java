package dev.labbook.server.domain;

/** What OpenRun does when the experiment has a run of the given name. */
public enum ResumePolicy {
    /** Resume it if it exists, create it otherwise (the upsert). */
    ALLOW,
    /** Only create: ALREADY_EXISTS when the name is taken. */
    NEVER,
    /** Only resume: NOT_FOUND when no run has the name. */
    MUST
}
