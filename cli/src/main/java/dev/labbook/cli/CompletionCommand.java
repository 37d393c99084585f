package dev.labbook.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labbook completion}: prints the bash/zsh completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a bash (and zsh) completion script for labbook.",
            "Enable it in this shell:   source <(labbook completion)",
            "or for every shell:        labbook completion > ~/.local/share/bash-completion/completions/labbook"})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("labbook", root);
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
    }
}
