package dev.labbook.cli;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.Target;
import picocli.CommandLine.Option;

/** Options every client command takes: which server, which project, and JSON output. */
public final class ClientOptions {
    static final String DEFAULT_TARGET = "localhost:7800";
    private static final dev.labbook.sdk.ClientOptions DEFAULT_SDK = dev.labbook.sdk.ClientOptions.DEFAULT;

    @Option(names = {"--target", "--server"}, paramLabel = "HOST:PORT",
            description = "Server address: host:port, grpc://host:port or grpcs://host:port (TLS). "
                    + "Env: LABBOOK_TRACKING_URI. Default: " + DEFAULT_TARGET + ".")
    String target;

    @Option(names = "--project", paramLabel = "PROJECT",
            description = "Project of experiments and EXPERIMENT/RUN names. Env: LABBOOK_PROJECT. Default: default.")
    String project;

    @Option(names = "--json", description = "Print machine-readable JSON instead of a table.")
    boolean json;

    public String target() {
        if (target != null && !target.isBlank()) {
            return target;
        }
        String env = System.getenv("LABBOOK_TRACKING_URI");
        return env == null || env.isBlank() ? DEFAULT_TARGET : env;
    }

    /** Where {@link #target()} comes from, as connection errors name it. */
    public String targetSource() {
        if (target != null && !target.isBlank()) {
            return "--target";
        }
        String env = System.getenv("LABBOOK_TRACKING_URI");
        return env == null || env.isBlank() ? "the default: no --target, LABBOOK_TRACKING_URI not set"
                : "env LABBOOK_TRACKING_URI";
    }

    public String project() {
        if (project != null && !project.isBlank()) {
            return project;
        }
        String env = System.getenv("LABBOOK_PROJECT");
        return env == null || env.isBlank() ? "default" : env;
    }

    /** The project given with --project, or empty (not LABBOOK_PROJECT): for listings across projects. */
    public String explicitProject() {
        return project == null ? "" : project.strip();
    }

    public boolean json() {
        return json;
    }

    /**
     * A client whose calls carry the token of {@code LABBOOK_TOKEN}, {@code LABBOOK_TOKEN_FILE} or
     * the server's section of {@code ~/.labbook/credentials}.
     */
    public LabbookClient connect() {
        return connect(ClientOptions.DEFAULT_SDK);
    }

    /** A client with {@code options} (e.g. a token given on the command line). */
    LabbookClient connect(dev.labbook.sdk.ClientOptions options) {
        return LabbookClient.connect(parsedTarget(), options, targetSource());
    }

    /** The server address, parsed. */
    Target parsedTarget() {
        try {
            return Target.parse(target());
        } catch (IllegalArgumentException e) {
            throw new CliException("bad target '" + target() + "' (from " + targetSource() + "): " + e.getMessage());
        }
    }
}
