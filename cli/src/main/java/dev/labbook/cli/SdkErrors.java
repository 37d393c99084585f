package dev.labbook.cli;

/** One-line descriptions of the Java SDK's typed exceptions. */
final class SdkErrors {
    private SdkErrors() {
    }

    static String describe(Throwable t) {
        return null;
    }
}
