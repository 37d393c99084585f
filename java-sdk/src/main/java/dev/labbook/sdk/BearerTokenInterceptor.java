package dev.labbook.sdk;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Adds {@code authorization: Bearer <token>} to every call of the channel (unary and streams,
 * from any thread: background senders, spool replay and uploads use the same channel), with the
 * token {@link Credentials} has at the start of the call. No token: no header.
 */
final class BearerTokenInterceptor implements ClientInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Credentials credentials;

    BearerTokenInterceptor(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                String token = credentials.token();
                if (token != null) {
                    headers.removeAll(AUTHORIZATION);
                    headers.put(AUTHORIZATION, "Bearer " + token);
                }
                super.start(listener, headers);
            }
        };
    }
}
