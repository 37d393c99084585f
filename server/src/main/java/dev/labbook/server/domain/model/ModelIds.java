package dev.labbook.server.domain.model;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Model ids as clients see them: {@code m-} and the 32 lower-case hex digits of a UUIDv7 (the
 * {@code m-} keeps them apart from run and experiment ids, which are UUIDs with dashes).
 */
public final class ModelIds {
    private static final Pattern FORM = Pattern.compile("m-[0-9a-fA-F]{32}");

    private ModelIds() {
    }

    public static String format(UUID id) {
        return "m-" + id.toString().replace("-", "");
    }

    /** The id a client gave; INVALID_ARGUMENT naming {@code field} when empty or malformed. */
    public static UUID parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (!FORM.matcher(text).matches()) {
            String shown = text.length() <= 80 ? text.replaceAll("\\p{Cntrl}", "?") : text.substring(0, 77) + "...";
            throw new InvalidArgumentException(field, "'" + shown + "' is not a model id ('m-' and 32 hex digits)");
        }
        String hex = text.substring(2).toLowerCase(Locale.ROOT);
        return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }
}
