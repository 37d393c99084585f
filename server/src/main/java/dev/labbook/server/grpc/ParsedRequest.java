package dev.labbook.server.grpc;

import java.util.Optional;

/**
 * A request message as {@link ParsingMarshaller} read it: the message, or why its bytes are no
 * such message (invalid UTF-8 in a string field, a truncated varint).
 */
final class ParsedRequest<Q> {
    private final Q message;
    private final RuntimeException failure;

    private ParsedRequest(Q message, RuntimeException failure) {
        this.message = message;
        this.failure = failure;
    }

    static <Q> ParsedRequest<Q> of(Q message) {
        return new ParsedRequest<>(message, null);
    }

    static <Q> ParsedRequest<Q> failed(RuntimeException failure) {
        return new ParsedRequest<>(null, failure);
    }

    Q message() {
        if (failure != null) {
            throw new IllegalStateException("the request could not be parsed", failure);
        }
        return message;
    }

    Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    /** What a client is told: the innermost cause's message (protobuf's own words). */
    String problem() {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
