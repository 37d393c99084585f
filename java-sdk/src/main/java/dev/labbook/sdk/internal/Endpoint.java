package dev.labbook.sdk.internal;

import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.Target;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Locale;

/**
 * The server a client talks to, where that address came from, and whether it has answered yet.
 * As an interceptor it rewrites every connection failure (UNAVAILABLE without a server's error
 * details) to name the target and its source, with a hint: a TLS/plaintext mismatch, the web UI's
 * HTTP port given instead of the gRPC port, or where to set the address
 * ({@code LABBOOK_TRACKING_URI}). See docs/java-sdk.md, "Connection errors".
 */
public final class Endpoint implements ClientInterceptor {
    /** The port of the web UI (HTTP), often given by mistake for the gRPC port. */
    public static final int UI_PORT = 7880;
    private static final Metadata.Key<byte[]> DETAILS =
            Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

    private final Target target;
    private final String source;
    private volatile boolean reached;

    public Endpoint(Target target, String source) {
        this.target = target;
        this.source = source == null || source.isBlank() ? "code" : source;
    }

    public Target target() {
        return target;
    }

    public String source() {
        return source;
    }

    /** Whether the server has answered a call of this client (then retries may wait longer). */
    public boolean reached() {
        return reached;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onHeaders(Metadata h) {
                        reached = true;
                        super.onHeaders(h);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        Status s = status;
                        if (status.getCode() == Status.Code.UNAVAILABLE && !trailers.containsKey(DETAILS)) {
                            s = Status.UNAVAILABLE.withDescription(unreachable(status)).withCause(status.getCause());
                        } else if (status.getCode() != Status.Code.DEADLINE_EXCEEDED
                                && status.getCode() != Status.Code.CANCELLED) {
                            reached = true;
                        }
                        super.onClose(s, trailers);
                    }
                }, headers);
            }
        };
    }

    /** "cannot reach the Labbook server at h:p (target from SOURCE): what failed. Hint". */
    public String unreachable(Status status) {
        String what = describe(status);
        return "cannot reach the Labbook server at " + target + " (target from " + source + "): " + what + ". "
                + hint(what + " " + causes(status.getCause()));
    }

    private static String describe(Status status) {
        if (status.getDescription() != null && !status.getDescription().isBlank()) {
            return status.getDescription();
        }
        Throwable c = status.getCause();
        return c == null ? "UNAVAILABLE" : c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; t != null && i < 10; t = t.getCause(), i++) {
            b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append(' ');
        }
        return b.toString();
    }

    /** What probably went wrong, from the failure's text. */
    public String hint(String failure) {
        String f = failure.toLowerCase(Locale.ROOT);
        String plain = Target.render(target.host(), target.port());
        if (target.tls() && (f.contains("ssl") || f.contains("tls"))) {
            return "The TLS handshake failed: the server at " + plain + " probably does not use TLS; for a "
                    + "plaintext server use " + plain + " or grpc://" + plain + " instead of grpcs://";
        }
        // "First received frame was not SETTINGS. Hex dump for first 5 bytes: 485454502f" is "HTTP/"
        if (f.contains("485454502f") || f.contains("http/1")) {
            return "The server at " + plain + " does not answer gRPC (an HTTP server?)" + uiPortNote();
        }
        if (!target.tls() && (f.contains("hex dump for first 5 bytes: 1503") || f.contains("hex dump for first 5 bytes: 1603")
                || f.contains("network closed for unknown reason") || f.contains("connection reset"))) {
            return "The server closed the connection during setup: if it uses TLS, use grpcs://" + plain;
        }
        if (target.port() == UI_PORT) {
            return "Port " + UI_PORT + " is the web UI's HTTP port; the SDKs speak gRPC on port " + Target.DEFAULT_PORT
                    + " (by default)";
        }
        return "Is the server running there? To use another one, give its gRPC address (host:port, "
                + "default port " + Target.DEFAULT_PORT + ") as LABBOOK_TRACKING_URI or explicitly";
    }

    private static String uiPortNote() {
        return ": the SDKs speak gRPC on port " + Target.DEFAULT_PORT + " (by default), not the web UI's HTTP port "
                + UI_PORT;
    }
}
