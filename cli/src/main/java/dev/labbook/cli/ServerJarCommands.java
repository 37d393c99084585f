package dev.labbook.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code server}, {@code migrate} and {@code new-token} as the client jar knows them: listed in
 * {@code labbook --help}, but they run from the server module's jar ({@code bin/labbook} picks that
 * jar for them), so that this jar carries none of the server's dependencies and starts fast. Run
 * from this jar anyway, they say where they are instead of "unknown command".
 */
final class ServerJarCommands {
    private ServerJarCommands() {
    }

    static List<Object> all() {
        return List.of(new Server(), new Migrate(), new NewToken());
    }

    abstract static class InServerJar implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        /** Whatever the server's command takes: none of it is read here. */
        @Unmatched
        List<String> arguments;

        @Override
        public Integer call() {
            String name = spec.name();
            spec.commandLine().getErr().println("labbook: error: '" + name + "' runs from the server jar, not from this"
                    + " client jar: use 'bin/labbook " + name + " ...' (it runs the server jar for it), or"
                    + " 'java -jar labbook-server-<version>-all.jar " + name + " ...' (server/target/ after a build).");
            spec.commandLine().getErr().flush();
            return 2;
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = {"Starts the Labbook tracking server (embedded PostgreSQL unless a database is given).",
                "Runs from the server jar: 'bin/labbook server --help' lists its settings."})
    static final class Server extends InServerJar {
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Applies pending database migrations and exits. Takes the same settings as 'server'.",
                "Runs from the server jar: 'bin/labbook migrate --help'."})
    static final class Migrate extends InServerJar {
    }

    @Command(name = "new-token", mixinStandardHelpOptions = true,
            description = {"Prints a new random API token secret (lbk_...) for --bootstrap-token.",
                "Runs from the server jar: 'bin/labbook new-token'."})
    static final class NewToken extends InServerJar {
    }
}
