package dev.labbook.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints expected failures as one line ({@code labbook: error: NOT_FOUND: run 'x' does not exist})
 * and exits 1; a stack trace only for bugs. {@code LABBOOK_DEBUG=1} prints traces for everything.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) throws Exception {
        String message = describe(e);
        if (message == null || "1".equals(System.getenv("LABBOOK_DEBUG"))) {
            throw e;
        }
        cmd.getErr().println("labbook: error: " + message);
        cmd.getErr().flush();
        return 1;
    }

    /** One line for an expected failure, or null for a bug. */
    static String describe(Throwable e) {
        if (e instanceof CliException) {
            return e.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException s) {
                return grpcMessage(s.getStatus());
            }
            String sdk = SdkErrors.describe(t);
            if (sdk != null) {
                return sdk;
            }
        }
        // What the server's commands count as expected too (LabbookCommand.isExpectedFailure, less
        // its configuration errors): a state or I/O failure with a message made for users.
        if (e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException) {
            return e.getMessage();
        }
        return null;
    }

    /** {@link #describe}, or the plain message for an unexpected failure (for warnings). */
    static String describeOrMessage(Throwable e) {
        String d = describe(e);
        return d != null ? d : e.toString();
    }

    static String grpcMessage(Status status) {
        if (status.getCode() == Status.Code.UNAVAILABLE && status.getDescription() != null
                && status.getDescription().startsWith("cannot reach")) {
            return "UNAVAILABLE: " + status.getDescription();
        }
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            return "UNAVAILABLE: cannot reach the Labbook server (" + status.getDescription()
                    + "); check --target / LABBOOK_TRACKING_URI";
        }
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }
}
