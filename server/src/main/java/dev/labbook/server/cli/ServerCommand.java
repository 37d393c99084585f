package dev.labbook.server.cli;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.http.WebApp;
import dev.labbook.server.config.LogFormat;
import dev.labbook.server.ops.LogOutput;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code labbook server}: runs the tracking server until SIGINT/SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {
            "Starts the Labbook tracking server.",
            "With no database settings it starts an embedded PostgreSQL whose data persists in --data-dir.",
            "Settings come from flags, then LABBOOK_* environment variables, then --config FILE "
                    + "(Java properties, keys named like the flags without dashes, e.g. port=7800), then defaults."
        })
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFileOption configFile = new ConfigFileOption();

    @Override
    public Integer call() throws Exception {
        ServerConfig config = ServerConfigLoader.load(SettingOptions.given(spec), System.getenv(), configFile.path,
                Path.of(System.getProperty("user.home")));
        LogOutput.use(config.operations().logFormat());
        LabbookServer server = LabbookServer.start(config);
        TerminationSignals.onTermination(server::close);
        // Other ways out (System.exit elsewhere, SIGHUP) still close what the server opened.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "labbook-shutdown-hook"));
        if (config.operations().logFormat() != LogFormat.JSON) {
            // For people at a terminal; with JSON logs the "listening on" event says the same.
            spec.commandLine().getOut().printf("Labbook is serving on port %d. Stop with Ctrl-C.%n", server.port());
            server.uiUrl().ifPresent(url -> spec.commandLine().getOut().printf(WebApp.fromClassPath().present()
                    ? "Web UI: %s%n" : "HTTP API (this build has no web UI: it needs Node.js to build): %s%n", url));
            spec.commandLine().getOut().flush();
        }
        server.awaitTermination();
        // The API has stopped; wait for the rest of the shutdown (pool, embedded database) to finish.
        server.close();
        return 0;
    }
}
