package dev.labbook.server.cli;

import dev.labbook.server.domain.access.TokenSecrets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code labbook new-token}: prints a fresh API token secret, stored nowhere, for
 * {@code --bootstrap-token} / {@code LABBOOK_BOOTSTRAP_TOKEN} (e.g. a Kubernetes Secret made
 * before the first start). The server stores its hash when it starts with it.
 */
@Command(name = "new-token", mixinStandardHelpOptions = true,
        description = {"Prints a new random API token secret (lbk_...) and stores it nowhere.",
                "For --bootstrap-token / LABBOOK_BOOTSTRAP_TOKEN, e.g.:",
                "  kubectl create secret generic labbook-bootstrap --from-literal=token=$(labbook new-token)"})
final class NewTokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(TokenSecrets.generate());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
