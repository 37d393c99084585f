package dev.labbook.sdk;

import dev.labbook.sdk.internal.Environment;
import dev.labbook.sdk.internal.WatchedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Where a client's token comes from, asked again on every call (a token file or credentials file
 * may change while the process runs). The first source that has a token wins:
 * <ol>
 * <li>a token given in code ({@link ClientOptions#withToken});</li>
 * <li>env {@code LABBOOK_TOKEN};</li>
 * <li>env {@code LABBOOK_TOKEN_FILE}: a file holding the token, e.g. a Kubernetes projected
 * ServiceAccount token, read again when it changes (or at least every 60 s), whitespace
 * stripped;</li>
 * <li>{@code ~/.labbook/credentials}, the section of the server the client talks to
 * ({@code host:port}), as {@code labbook login} writes it.</li>
 * </ol>
 * No token anywhere: calls carry no {@code authorization} header (a server with access control
 * off needs none). {@link #toString()} never shows a token.
 */
public final class Credentials {
    private static final Logger LOG = Logger.getLogger(Credentials.class.getName());
    /** Files warned about (mode), once per process. */
    private static final Set<Path> WARNED_MODE = ConcurrentHashMap.newKeySet();

    /** A token and where it came from (e.g. {@code LABBOOK_TOKEN}); {@link #toString()} hides the token. */
    public record Found(String token, String source) {
        @Override
        public String toString() {
            return "Found[token=" + mask(token) + ", source=" + source + "]";
        }
    }

    private interface Source {
        /** The token now, or null. */
        String token();

        String describe();
    }

    private final List<Source> sources;

    private Credentials(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** No token: calls carry no authorization header. */
    public static Credentials none() {
        return new Credentials(List.of());
    }

    /** The sources for a client of {@code target}, from this process's environment and home directory. */
    public static Credentials resolve(Target target, String explicitToken) {
        return resolve(target, explicitToken, Environment.system());
    }

    static Credentials resolve(Target target, String explicitToken, Environment env) {
        List<Source> sources = new ArrayList<>();
        if (explicitToken != null && !explicitToken.isBlank()) {
            sources.add(fixed(explicitToken.strip(), "the token given in code"));
        }
        String envToken = env.get("LABBOOK_TOKEN");
        if (envToken != null) {
            sources.add(fixed(envToken.strip(), "LABBOOK_TOKEN"));
        }
        String tokenFile = env.get("LABBOOK_TOKEN_FILE");
        if (tokenFile != null) {
            sources.add(tokenFile(Path.of(tokenFile.strip())));
        }
        sources.add(credentialsFile(CredentialsFile.defaultPath(env.home()), serverKey(target)));
        return new Credentials(sources);
    }

    /**
     * The section name of a server in the credentials file: {@code host:port} as the client
     * targets it, without scheme ({@code grpcs://h:7800} and {@code h:7800} share one), an IPv6
     * host in brackets.
     */
    public static String serverKey(Target target) {
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        return host + ":" + target.port();
    }

    /** The token to send now, or null. */
    String token() {
        for (Source s : sources) {
            String t = s.token();
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** The token to send now and its source, if any. */
    public Optional<Found> current() {
        for (Source s : sources) {
            String t = s.token();
            if (t != null) {
                return Optional.of(new Found(t, s.describe()));
            }
        }
        return Optional.empty();
    }

    /** The sources, in order, e.g. {@code [LABBOOK_TOKEN, ~/.labbook/credentials [localhost:7800]]}. */
    @Override
    public String toString() {
        return "Credentials" + sources.stream().map(Source::describe).toList();
    }

    /** {@code lbk_abcd...}: enough to recognise a token, never enough to use it. */
    static String mask(String token) {
        if (token == null) {
            return "none";
        }
        return token.length() <= 12 ? "***" : token.substring(0, 8) + "...";
    }

    private static Source fixed(String token, String describe) {
        return new Source() {
            @Override
            public String token() {
                return token;
            }

            @Override
            public String describe() {
                return describe;
            }
        };
    }

    private static Source tokenFile(Path path) {
        WatchedFile<String> file = new WatchedFile<>(path, text -> text.isBlank() ? null : text.strip(),
                System::nanoTime, problem -> LOG.warning("labbook: LABBOOK_TOKEN_FILE " + problem
                        + "; calls go without its token until it can be read"));
        return new Source() {
            @Override
            public String token() {
                return file.get();
            }

            @Override
            public String describe() {
                return "LABBOOK_TOKEN_FILE " + path;
            }
        };
    }

    private static Source credentialsFile(Path path, String server) {
        WatchedFile<CredentialsFile> file = new WatchedFile<>(path, text -> {
            warnIfOthersCanRead(path);
            return CredentialsFile.parse(text);
        }, System::nanoTime, problem -> {
            if (!problem.endsWith("does not exist")) {
                LOG.warning("labbook: credentials file " + problem);
            }
        });
        return new Source() {
            @Override
            public String token() {
                CredentialsFile f = file.get();
                return f == null ? null : f.token(server).orElse(null);
            }

            @Override
            public String describe() {
                return path + " [" + server + "]";
            }
        };
    }

    static void warnIfOthersCanRead(Path path) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(path);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        boolean open = perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        if (open && WARNED_MODE.add(path.toAbsolutePath())) {
            LOG.warning("labbook: credentials file " + path + " is readable by other users; run: chmod 600 " + path);
        }
    }
}
