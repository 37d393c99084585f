package dev.labbook.server.http;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaders;
import dev.labbook.server.grpc.StatusMapper;
import java.util.Base64;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Errors of unframed calls (a plain JSON or protobuf POST, e.g. from curl): Armeria's JSON body
 * ({@code code}, {@code grpc-code}, {@code message}, {@code details} with the ErrorInfo and the
 * other details) or plain text, with the HTTP status of the gRPC code. Armeria takes the message
 * from the {@code grpc-message} trailer still percent-encoded (the gRPC wire form); it is
 * decoded here, so that curl users read {@code run_id: must be a UUID}, not
 * {@code run_id%3A must be a UUID}.
 */
final class PlainMessageErrorHandler implements UnframedGrpcErrorHandler {
    private static final String STATUS_DETAILS = "grpc-status-details-bin";

    private final UnframedGrpcErrorHandler delegate = UnframedGrpcErrorHandler.of();

    @Override
    public HttpResponse handle(ServiceRequestContext ctx, Status status, AggregatedHttpResponse response) {
        String message = status.getDescription();
        Status readable;
        if (message != null) {
            readable = status.withDescription(percentDecode(message));
        } else if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            // Armeria's own refusal of a body it cannot parse, which names nothing.
            readable = status.withDescription("the request body is not a valid " + ctx.path().substring(1)
                    + " request (JSON: the proto3 JSON mapping, e.g. {\"runId\": \"...\"})");
        } else {
            readable = status;
        }
        return delegate.handle(ctx, readable, withDetails(readable, response));
    }

    /**
     * Errors the transport makes itself (a body that does not parse) bypass the services'
     * interceptors: they get the ErrorInfo every error carries here.
     */
    private static AggregatedHttpResponse withDetails(Status status, AggregatedHttpResponse response) {
        HttpHeaders trailers = response.trailers().isEmpty() ? response.headers() : response.trailers();
        if (trailers.contains(STATUS_DETAILS)) {
            return response;
        }
        String details = Base64.getEncoder().encodeToString(StatusMapper.fallbackDetails(status).toByteArray());
        return AggregatedHttpResponse.of(response.headers(), response.content(),
                response.trailers().toBuilder().add(STATUS_DETAILS, details).build());
    }

    /** The gRPC spec's percent-decoding: %XX sequences are UTF-8 bytes; anything else is kept as is. */
    static String percentDecode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        byte[] bytes = encoded.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                int high = Character.digit(bytes[i + 1], 16);
                int low = Character.digit(bytes[i + 2], 16);
                if (high >= 0 && low >= 0) {
                    out.write(high << 4 | low);
                    i += 2;
                    continue;
                }
            }
            out.write(bytes[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
