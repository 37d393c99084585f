package dev.labbook.server.cli;

import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.ops.LogOutput;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.EmbeddedPostgresDatabase;
import dev.labbook.server.store.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code labbook migrate}: applies the schema migrations and exits (e.g. as a Kubernetes Job). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Applies pending database migrations and exits. Takes the same settings as 'server'.")
final class MigrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFileOption configFile = new ConfigFileOption();

    @Override
    public Integer call() {
        ServerConfig config = ServerConfigLoader.load(SettingOptions.given(spec), System.getenv(), configFile.path,
                Path.of(System.getProperty("user.home")));
        LogOutput.use(config.operations().logFormat());
        EmbeddedPostgresDatabase embedded = config.embeddedDatabase()
                ? EmbeddedPostgresDatabase.start(config.dataDir(), config.embeddedDbPort())
                : null;
        try {
            DatabaseEndpoint endpoint = embedded != null ? embedded.endpoint()
                    : new DatabaseEndpoint(config.dbUrl().get(), config.dbUser(), config.dbPassword());
            try (PostgresDatabase database = PostgresDatabase.open(endpoint, 2)) {
                int applied = database.migrate();
                spec.commandLine().getOut().printf("Applied %d migration(s); schema is up to date.%n", applied);
            }
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
        return 0;
    }
}
