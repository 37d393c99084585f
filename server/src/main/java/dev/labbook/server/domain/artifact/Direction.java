package dev.labbook.server.domain.artifact;

/** Whether a run consumed or produced an artifact. */
public enum Direction {
    INPUT,
    OUTPUT
}
