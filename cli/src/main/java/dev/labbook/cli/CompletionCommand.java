package dev.labbook.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook completion}: prints the bash/zsh completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a bash (and zsh) completion script for labbook.",
            "Enable it in this shell:   source <(labbook completion bash)",
            "or for every shell:        labbook completion > ~/.local/share/bash-completion/completions/labbook"})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** The script is bash; zsh runs it through bashcompinit, so both names give the same script. */
    enum Shell { bash, zsh }

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", defaultValue = "bash",
            description = "${COMPLETION-CANDIDATES} (the same script; zsh needs 'autoload -U bashcompinit && bashcompinit').")
    Shell shell;

    @Override
    public void run() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("labbook", root);
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
    }
}
