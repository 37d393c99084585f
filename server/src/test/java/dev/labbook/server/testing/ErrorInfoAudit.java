package dev.labbook.server.testing;

import com.google.rpc.ErrorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Watches every call of the test channel and records each error status that came without a
 * {@code google.rpc.ErrorInfo} of domain {@code labbook.dev} (AIP-193). The server extension fails
 * the test that caused one, so every error of the suite is checked, not only the asserted ones.
 * Statuses the client makes itself (its own cancel or deadline) are not the server's and are
 * skipped.
 */
public final class ErrorInfoAudit implements ClientInterceptor {
    private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();

    /** The labbook.dev ErrorInfo of a status, if it has one. */
    public static Optional<ErrorInfo> errorInfo(Status status, Metadata trailers) {
        com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
        if (details == null) {
            return Optional.empty();
        }
        return details.getDetailsList().stream().filter(any -> any.is(ErrorInfo.class)).map(any -> {
            try {
                return any.unpack(ErrorInfo.class);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).filter(info -> info.getDomain().equals("labbook.dev")).findFirst();
    }

    /**
     * The one documented exception (docs/api.md, Errors): a message over --max-message-bytes is
     * refused by grpc-java's transport before any interceptor sees the call, so it cannot carry
     * details.
     */
    public static boolean isTransportSizeLimit(Status status) {
        return status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
                && status.getDescription().startsWith("gRPC message exceeds maximum size");
    }

    /** The violations recorded since the last call, emptied. */
    static List<String> drain() {
        List<String> all = new ArrayList<>();
        for (String v; (v = VIOLATIONS.poll()) != null; ) {
            all.add(v);
        }
        return all;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
            private volatile boolean cancelledHere;

            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        boolean clientMade = cancelledHere || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                                || status.getCode() == Status.Code.CANCELLED;
                        if (!status.isOk() && !clientMade && !isTransportSizeLimit(status)
                                && errorInfo(status, trailers).isEmpty()) {
                            VIOLATIONS.add(method.getFullMethodName() + " -> " + status);
                        }
                        super.onClose(status, trailers);
                    }
                }, headers);
            }

            @Override
            public void cancel(String message, Throwable cause) {
                cancelledHere = true;
                super.cancel(message, cause);
            }
        };
    }
}
