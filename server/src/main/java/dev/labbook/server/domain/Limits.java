package dev.labbook.server.domain;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The documented limits of names, keys and values, and the checks that enforce them. Every
 * check names the request field in its error so that clients can point at it.
 */
public final class Limits {
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_PROJECT_LENGTH = 64;
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_TAG_VALUE_BYTES = 8 * 1024;
    public static final int MAX_TAGS = 100;
    public static final int MAX_DESCRIPTION_BYTES = 64 * 1024;
    public static final int MAX_FOLDER_LENGTH = 1024;
    public static final int MAX_PARAM_VALUE_BYTES = 256 * 1024;
    public static final int MAX_PARAMS_PER_CALL = 1000;
    public static final int MAX_SOURCE_TEXT_BYTES = 64 * 1024;
    public static final int MAX_SOURCE_ARGS = 1000;
    public static final int MAX_REQUEST_ID_LENGTH = 128;
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;
    public static final String DEFAULT_PROJECT = "default";

    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-./: ]+");
    private static final Pattern GIT_COMMIT = Pattern.compile("[0-9a-fA-F]{0,64}");

    private Limits() {
    }

    /** Empty means {@value #DEFAULT_PROJECT}; otherwise 1-64 of [A-Za-z0-9._-]. */
    public static String project(String field, String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_PROJECT;
        }
        if (!PROJECT.matcher(value).matches()) {
            throw new InvalidArgumentException(field,
                    "must be 1-" + MAX_PROJECT_LENGTH + " characters of letters, digits, '.', '_' or '-', got '"
                            + abbreviate(value) + "'");
        }
        return value;
    }

    /** Names of experiments and runs: 1-256 characters, no control characters, no edge whitespace. */
    public static String name(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (value.codePointCount(0, value.length()) > MAX_NAME_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (value.isBlank()) {
            throw new InvalidArgumentException(field, "must not be blank");
        }
        if (!value.strip().equals(value)) {
            throw new InvalidArgumentException(field, "must not start or end with whitespace");
        }
        rejectControlCharacters(field, value);
        return value;
    }

    /** The form names are compared in (case-insensitive matching). */
    public static String nameKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    public static String description(String field, String value) {
        String text = value == null ? "" : value;
        maxBytes(field, text, MAX_DESCRIPTION_BYTES);
        rejectNul(field, text);
        return text;
    }

    /** Empty (the root) or a path such as /a/b: leading '/', non-empty segments, no trailing '/'. */
    public static String folder(String field, String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (value.length() > MAX_FOLDER_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_FOLDER_LENGTH + " characters");
        }
        rejectControlCharacters(field, value);
        if (!value.startsWith("/")) {
            throw new InvalidArgumentException(field, "must start with '/', got '" + abbreviate(value) + "'");
        }
        if (value.equals("/")) {
            return "";
        }
        String[] segments = value.substring(1).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidArgumentException(field,
                        "must consist of non-empty segments other than '.' and '..', got '" + abbreviate(value) + "'");
            }
        }
        return value;
    }

    /** Keys of tags and params: 1-250 characters of letters, digits and _ - . / : space. */
    public static String key(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (value.length() > MAX_KEY_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (!KEY.matcher(value).matches()) {
            throw new InvalidArgumentException(field, "'" + abbreviate(value)
                    + "' may contain only letters, digits, '_', '-', '.', '/', ':' and spaces");
        }
        return value;
    }

    public static Map<String, String> tags(String field, Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new InvalidArgumentException(field, "has " + tags.size() + " tags; at most " + MAX_TAGS + " allowed");
        }
        tags.forEach((k, v) -> {
            key(field + ".key", k);
            maxBytes(field + "[" + k + "]", v, MAX_TAG_VALUE_BYTES);
            rejectNul(field + "[" + k + "]", v);
        });
        return tags;
    }

    public static ParamValue paramValue(String field, ParamValue value) {
        if (value == null) {
            throw new InvalidArgumentException(field, "is required (one of string, int, double or bool)");
        }
        if (value instanceof ParamValue.StringValue s) {
            maxBytes(field, s.value(), MAX_PARAM_VALUE_BYTES);
            rejectNul(field, s.value());
        }
        return value;
    }

    public static SourceInfo source(String field, SourceInfo source) {
        if (source == null) {
            return SourceInfo.EMPTY;
        }
        maxBytes(field + ".script", source.script(), MAX_SOURCE_TEXT_BYTES);
        rejectNul(field + ".script", source.script());
        if (source.args().size() > MAX_SOURCE_ARGS) {
            throw new InvalidArgumentException(field + ".args", "has more than " + MAX_SOURCE_ARGS + " arguments");
        }
        for (int i = 0; i < source.args().size(); i++) {
            maxBytes(field + ".args[" + i + "]", source.args().get(i), MAX_SOURCE_TEXT_BYTES);
            rejectNul(field + ".args[" + i + "]", source.args().get(i));
        }
        if (!GIT_COMMIT.matcher(source.gitCommit()).matches()) {
            throw new InvalidArgumentException(field + ".git_commit", "must be a hexadecimal commit hash");
        }
        if (source.host().length() > MAX_NAME_LENGTH) {
            throw new InvalidArgumentException(field + ".host", "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        rejectControlCharacters(field + ".host", source.host());
        maxBytes(field + ".working_dir", source.workingDir(), MAX_SOURCE_TEXT_BYTES);
        rejectNul(field + ".working_dir", source.workingDir());
        return source;
    }

    /**
     * Client-made ids of retry-safe calls (AIP-155, usually a UUID): empty (no de-duplication)
     * or 1-128 characters without control characters. Returns null for empty.
     */
    public static String requestId(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > MAX_REQUEST_ID_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_REQUEST_ID_LENGTH + " characters");
        }
        rejectControlCharacters(field, value);
        return value;
    }

    /** 0 means the default; negative or above the maximum is refused. */
    public static int pageSize(String field, int requested) {
        if (requested < 0) {
            throw new InvalidArgumentException(field, "must not be negative");
        }
        if (requested > MAX_PAGE_SIZE) {
            throw new InvalidArgumentException(field, "must be at most " + MAX_PAGE_SIZE);
        }
        return requested == 0 ? DEFAULT_PAGE_SIZE : requested;
    }

    public static void maxBytes(String field, String value, int maxBytes) {
        // Cheap bound first: a UTF-8 character takes at most 3 bytes per UTF-16 char.
        if ((long) value.length() * 3 <= maxBytes) {
            return;
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new InvalidArgumentException(field, "is " + bytes + " bytes; at most " + maxBytes + " allowed");
        }
    }

    public static void rejectNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidArgumentException(field, "must not contain NUL characters");
        }
    }

    public static void rejectControlCharacters(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidArgumentException(field,
                        String.format("must not contain control characters (found U+%04X at index %d)", (int) c, i));
            }
        }
    }

    private static String abbreviate(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 80 ? clean : clean.substring(0, 77) + "...";
    }
}
