package dev.labbook.server.grpc;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.UUID;
import java.util.regex.Pattern;

/** Parses ids from requests: malformed ids are INVALID_ARGUMENT naming the field. */
final class ProtoIds {
    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private ProtoIds() {
    }

    static UUID required(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        return parse(field, value);
    }

    /** Null for an empty value. */
    static UUID optional(String field, String value) {
        return value == null || value.isEmpty() ? null : parse(field, value);
    }

    private static UUID parse(String field, String value) {
        if (!CANONICAL.matcher(value).matches()) {
            String shown = value.length() > 64 ? value.substring(0, 61) + "..." : value;
            throw new InvalidArgumentException(field, "'" + shown.replaceAll("\\p{Cntrl}", "?")
                    + "' is not a valid id (expected a UUID such as 0190f0c2-3b4a-7d5e-8f60-123456789abc)");
        }
        return UUID.fromString(value);
    }

    static String format(UUID id) {
        return id == null ? "" : id.toString();
    }
}
