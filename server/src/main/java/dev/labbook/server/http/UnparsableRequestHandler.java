package dev.labbook.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.labbook.server.grpc.RpcObserver;
import dev.labbook.server.grpc.StatusMapper;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Base64;

/**
 * A gRPC or gRPC-Web request whose message does not parse (invalid UTF-8 in a string field, a
 * truncated varint) is INVALID_ARGUMENT "request could not be parsed: ..." with its ErrorInfo, as
 * on the gRPC port, not Armeria's INTERNAL. Armeria parses messages before any interceptor, so the
 * status is set here, in its exception handler; any other exception is left to Armeria's default.
 */
final class UnparsableRequestHandler implements GrpcExceptionHandlerFunction {
    private static final String STATUS_DETAILS = "grpc-status-details-bin";

    private final RpcObserver rpcs;

    private UnparsableRequestHandler(RpcObserver rpcs) {
        this.rpcs = rpcs;
    }

    /** @param rpcs where a refused call is counted (see {@link UnparsableRequestCounting}) */
    static GrpcExceptionHandlerFunction orDefault(RpcObserver rpcs) {
        return new UnparsableRequestHandler(rpcs).orElse(GrpcExceptionHandlerFunction.of());
    }

    @Override
    public Status apply(RequestContext ctx, Status status, Throwable cause, Metadata metadata) {
        if (!(ctx instanceof ServiceRequestContext service) || !isGrpc(service)) {
            // A plain JSON or protobuf POST: Armeria's own INVALID_ARGUMENT, worded by the
            // unframed error handler (PlainMessageErrorHandler).
            return null;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidProtocolBufferException invalid) {
                Status refused = Status.INVALID_ARGUMENT.withDescription(
                        "request could not be parsed: " + invalid.getMessage());
                // The trailers Armeria writes for this status take the extra ones of the context
                // (not always the metadata given here).
                String details = Base64.getEncoder().encodeToString(StatusMapper.fallbackDetails(refused).toByteArray());
                service.mutateAdditionalResponseTrailers(trailers -> trailers.set(STATUS_DETAILS, details));
                // Counted here: Armeria ends the call past the metrics interceptor, which
                // UnparsableRequestCounting keeps from counting it as CANCELLED.
                service.setAttr(UnparsableRequestCounting.REFUSED, true);
                rpcs.callFinished(service.path().substring(1), refused.getCode().name());
                return refused;
            }
        }
        return null;
    }

    private static boolean isGrpc(ServiceRequestContext ctx) {
        MediaType type = ctx.request().contentType();
        return type != null && type.subtype().startsWith("grpc");
    }
}
