package dev.labbook.cli;

/** A failure the user can fix (bad argument, missing run): printed as one line, exit status 1. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }
}
