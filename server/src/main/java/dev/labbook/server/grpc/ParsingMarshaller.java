package dev.labbook.server.grpc;

import io.grpc.MethodDescriptor.Marshaller;
import java.io.InputStream;

/**
 * A request marshaller that never throws on bytes it cannot parse: it yields a
 * {@link ParsedRequest} carrying the failure. grpc-java parses a request before any interceptor
 * sees it, and a marshaller's exception there ends the call UNKNOWN ("Application error
 * processing RPC") past every interceptor; with this marshaller {@link RequestParseGuard}
 * answers such a call itself.
 */
final class ParsingMarshaller<Q> implements Marshaller<ParsedRequest<Q>> {
    private final Marshaller<Q> proto;

    ParsingMarshaller(Marshaller<Q> proto) {
        this.proto = proto;
    }

    @Override
    public InputStream stream(ParsedRequest<Q> value) {
        return proto.stream(value.message());
    }

    @Override
    public ParsedRequest<Q> parse(InputStream stream) {
        try {
            return ParsedRequest.of(proto.parse(stream));
        } catch (RuntimeException e) {
            return ParsedRequest.failed(e);
        }
    }
}
