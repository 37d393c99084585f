package dev.labbook.server.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Attributes;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.SecurityLevel;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.util.List;

/**
 * Answers a request whose bytes do not parse (invalid UTF-8 in a string field, a truncated
 * varint) with INVALID_ARGUMENT "request could not be parsed: ...". Left to grpc-java, the
 * marshaller's exception ends such a call UNKNOWN past every interceptor (uncounted, its stack
 * trace logged by grpc-java itself).
 *
 * <p>Each method of a service gets a {@link ParsingMarshaller}, whose parse never throws, and a
 * handler that closes the call at the first request that failed to parse; the interceptors and
 * the service inside it see the original method and only parsed messages. Per service, so it
 * sits inside the call interceptors added to the server (metrics, error details, the drain:
 * the refusal is counted and detailed) and outside the ones bound to the service (access, which
 * reads request fields).
 */
final class RequestParseGuard {
    private RequestParseGuard() {
    }

    static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = service.getMethods().stream()
                .<ServerMethodDefinition<?, ?>>map(RequestParseGuard::guard)
                .toList();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder guarded = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(guarded::addMethod);
        return guarded.build();
    }

    private static <Q, R> ServerMethodDefinition<ParsedRequest<Q>, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> proto = method.getMethodDescriptor();
        MethodDescriptor<ParsedRequest<Q>, R> parsing = proto.toBuilder(
                new ParsingMarshaller<>(proto.getRequestMarshaller()), proto.getResponseMarshaller()).build();
        return ServerMethodDefinition.create(parsing, new Handler<>(proto, method.getServerCallHandler()));
    }

    private static final class Handler<Q, R> implements ServerCallHandler<ParsedRequest<Q>, R> {
        private final MethodDescriptor<Q, R> proto;
        private final ServerCallHandler<Q, R> next;

        Handler(MethodDescriptor<Q, R> proto, ServerCallHandler<Q, R> next) {
            this.proto = proto;
            this.next = next;
        }

        @Override
        public ServerCall.Listener<ParsedRequest<Q>> startCall(ServerCall<ParsedRequest<Q>, R> call, Metadata headers) {
            ProtoCall<Q, R> inner = new ProtoCall<>(call, proto);
            ServerCall.Listener<Q> delegate = next.startCall(inner, headers);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(ParsedRequest<Q> request) {
                    if (inner.refused()) {
                        return;
                    }
                    if (request.failure().isEmpty()) {
                        delegate.onMessage(request.message());
                        return;
                    }
                    inner.refuse(Status.INVALID_ARGUMENT.withDescription(
                            "request could not be parsed: " + request.problem()));
                }

                @Override
                public void onHalfClose() {
                    if (!inner.refused()) {
                        delegate.onHalfClose();
                    }
                }

                @Override
                public void onCancel() {
                    delegate.onCancel();
                }

                @Override
                public void onComplete() {
                    // A refused call ended before the service saw all of it: to the service, cancelled.
                    if (inner.refused()) {
                        delegate.onCancel();
                    } else {
                        delegate.onComplete();
                    }
                }

                @Override
                public void onReady() {
                    if (!inner.refused()) {
                        delegate.onReady();
                    }
                }
            };
        }
    }

    /**
     * The call as the interceptors and the service inside the guard see it: the original method,
     * parsed messages; once refused, it is cancelled to them and what they send is dropped.
     */
    private static final class ProtoCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<ParsedRequest<Q>, R> call;
        private final MethodDescriptor<Q, R> proto;
        private boolean closed;
        private volatile boolean refused;

        ProtoCall(ServerCall<ParsedRequest<Q>, R> call, MethodDescriptor<Q, R> proto) {
            this.call = call;
            this.proto = proto;
        }

        @Override
        public void request(int numMessages) {
            call.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            call.sendHeaders(headers);
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return proto;
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!refused) {
                call.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                call.close(status, trailers);
            }
        }

        @Override
        public boolean isReady() {
            return !refused && call.isReady();
        }

        @Override
        public boolean isCancelled() {
            return refused || call.isCancelled();
        }

        /** Closes the call with {@code status}, unless the interceptors or the service closed it already. */
        synchronized void refuse(Status status) {
            if (!closed) {
                closed = true;
                refused = true;
                call.close(status, new Metadata());
            }
        }

        boolean refused() {
            return refused;
        }
    }
}
