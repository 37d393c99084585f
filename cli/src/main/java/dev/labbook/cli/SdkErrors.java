package dev.labbook.cli;

import dev.labbook.sdk.LabbookException;

/** One-line descriptions of the Java SDK's typed exceptions ({@code NOT_FOUND: run ... not found}). */
final class SdkErrors {
    private SdkErrors() {
    }

    static String describe(Throwable t) {
        if (!(t instanceof LabbookException e)) {
            return null;
        }
        if ("UNAVAILABLE".equals(e.code()) && e.getMessage() != null && e.getMessage().startsWith("cannot reach")) {
            return "UNAVAILABLE: " + e.getMessage(); // names the target, its source and a hint already
        }
        if ("UNAVAILABLE".equals(e.code())) {
            return "UNAVAILABLE: cannot reach the Labbook server (" + e.getMessage()
                    + "); check --target / LABBOOK_TRACKING_URI";
        }
        return e.code() + ": " + e.getMessage();
    }
}
