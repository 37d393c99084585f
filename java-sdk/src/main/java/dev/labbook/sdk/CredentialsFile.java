package dev.labbook.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The credentials file {@code ~/.labbook/credentials} that {@code labbook login} writes: INI,
 * one section per server address as the client targets it ({@code host:port}), holding that
 * server's {@code token}. Read by both SDKs (the Python SDK with configparser); keys are
 * case-insensitive, {@code #} and {@code ;} start comments, {@code key = value} or
 * {@code key: value}.
 *
 * <pre>
 * # Labbook credentials, written by `labbook login`. Keep private (mode 0600).
 * [localhost:7800]
 * token = lbk_...
 * </pre>
 *
 * Immutable: {@link #withToken} and {@link #without} return changed copies, {@link #write} stores
 * one (mode 0600, its directory created with mode 0700), replacing the file atomically.
 */
public final class CredentialsFile {
    static final String HEADER = "# Labbook credentials, written by `labbook login`. Keep private (mode 0600).";
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    /** section name -> (key -> value), in file order. */
    private final Map<String, Map<String, String>> sections;

    private CredentialsFile(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    public static CredentialsFile empty() {
        return new CredentialsFile(Map.of());
    }

    /** {@code ~/.labbook/credentials}. */
    public static Path defaultPath() {
        return defaultPath(Path.of(System.getProperty("user.home")));
    }

    static Path defaultPath(Path home) {
        return home.resolve(".labbook").resolve("credentials");
    }

    /** The file's sections; an empty file when it does not exist. */
    public static CredentialsFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return empty();
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses INI text; lines that are neither a section, a key nor a comment are ignored. */
    public static CredentialsFile parse(String text) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(),
                        k -> new LinkedHashMap<>());
                continue;
            }
            int eq = separator(line);
            if (current == null || eq <= 0) {
                continue;
            }
            current.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
        }
        return new CredentialsFile(freeze(sections));
    }

    private static int separator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    /** The token of a server ({@code host:port}), if its section has one. */
    public Optional<String> token(String server) {
        Map<String, String> section = sections.get(server);
        return Optional.ofNullable(section == null ? null : section.get("token")).filter(t -> !t.isBlank());
    }

    /** Section names, in file order. */
    public Set<String> servers() {
        return sections.keySet();
    }

    /** A copy with the server's token set (its section added at the end when new; other keys kept). */
    public CredentialsFile withToken(String server, String token) {
        Map<String, Map<String, String>> copy = mutableCopy();
        copy.computeIfAbsent(server, k -> new LinkedHashMap<>()).put("token", token);
        return new CredentialsFile(freeze(copy));
    }

    /** A copy without the server's section. */
    public CredentialsFile without(String server) {
        Map<String, Map<String, String>> copy = mutableCopy();
        copy.remove(server);
        return new CredentialsFile(freeze(copy));
    }

    /** The file's text: the header comment, then every section. */
    public String format() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        sections.forEach((name, keys) -> {
            out.append('[').append(name).append("]\n");
            keys.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        });
        return out.toString();
    }

    /**
     * Writes the file with mode 0600 (creating its directory with mode 0700 when missing), through
     * a temporary file renamed over it, so that a reader never sees half a file and the secret is
     * never readable by others, not even for a moment.
     */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (FileAlreadyExistsException e) {
                // created meanwhile
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(dir, ".credentials", ".tmp");
        }
        try {
            Files.writeString(tmp, format(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "CredentialsFile" + servers() + " (tokens hidden)";
    }

    private Map<String, Map<String, String>> mutableCopy() {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
        return copy;
    }

    private static Map<String, Map<String, String>> freeze(Map<String, Map<String, String>> sections) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        sections.forEach((k, v) -> out.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        return Collections.unmodifiableMap(out);
    }
}
