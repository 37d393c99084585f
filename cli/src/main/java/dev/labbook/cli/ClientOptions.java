package dev.labbook.cli;

import dev.labbook.sdk.LabbookClient;
import picocli.CommandLine.Option;

/** Options every client command takes: which server, which project, and JSON output. */
public final class ClientOptions {
    static final String DEFAULT_TARGET = "localhost:7800";

    @Option(names = "--target", paramLabel = "HOST:PORT",
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

    public String project() {
        if (project != null && !project.isBlank()) {
            return project;
        }
        String env = System.getenv("LABBOOK_PROJECT");
        return env == null || env.isBlank() ? "default" : env;
    }

    public boolean json() {
        return json;
    }

    public LabbookClient connect() {
        try {
            return LabbookClient.connect(target());
        } catch (IllegalArgumentException e) {
            throw new CliException("bad --target / LABBOOK_TRACKING_URI '" + target() + "': " + e.getMessage());
        }
    }
}
