package dev.labbook.server.artifacts;

/**
 * Second line of defence for object keys: whatever the caller validated, a store only accepts
 * relative keys of non-empty, non-dot segments without backslashes or control characters.
 */
public final class ObjectKeys {
    private ObjectKeys() {
    }

    public static String require(String key) {
        if (key == null || key.isEmpty() || key.length() > 4096 || key.startsWith("/") || key.endsWith("/")
                || key.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("unsafe object key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("unsafe object key: " + key);
            }
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new IllegalArgumentException("unsafe object key: " + key);
            }
        }
        return key;
    }

    /** A prefix is a key followed by '/'. */
    public static String requirePrefix(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end with '/': " + prefix);
        }
        require(prefix.substring(0, prefix.length() - 1));
        return prefix;
    }
}
