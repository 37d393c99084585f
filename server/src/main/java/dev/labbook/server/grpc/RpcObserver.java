package dev.labbook.server.grpc;

/**
 * Told about every call the server handles, by {@link CallMetricsInterceptor}. Methods are full
 * gRPC method names ({@code labbook.v1.MetricService/LogMetrics}); codes are gRPC status code
 * names ({@code OK}, {@code UNAVAILABLE}, ...). Implementations must be cheap and thread-safe.
 */
public interface RpcObserver {
    /** Observes nothing. */
    RpcObserver NONE = new RpcObserver() {
    };

    /** A streaming call (client, server or bidirectional) started. */
    default void streamOpened(String method) {
    }

    /** A streaming call ended, however it ended. */
    default void streamClosed(String method) {
    }

    /** A call ended with this status code (CANCELLED when the client went away first). */
    default void callFinished(String method, String code) {
    }

    /**
     * The access check refused a call before its method ran.
     *
     * @param code UNAUTHENTICATED or PERMISSION_DENIED
     * @param reason the ErrorReason name, e.g. ROLE_MISSING, TOKEN_REVOKED
     */
    default void accessDenied(String method, String code, String reason) {
    }
}
