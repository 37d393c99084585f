package dev.labbook.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read server settings. */
final class ConfigFileOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (properties). Env: LABBOOK_CONFIG.")
    Path path;
}
