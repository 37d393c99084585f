package dev.labbook.sdk;

/** Whether an artifact is something the run read (INPUT) or produced (OUTPUT). */
public enum Direction {
    INPUT, OUTPUT
}
