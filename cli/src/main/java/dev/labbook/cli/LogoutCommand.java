package dev.labbook.cli;

import dev.labbook.sdk.Credentials;
import dev.labbook.sdk.CredentialsFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labbook logout}: removes the server's section from {@code ~/.labbook/credentials}. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = {"Removes the server's token from ~/.labbook/credentials (other servers' stay).",
            "The token itself stays valid: revoke it with 'labbook tokens revoke ID'."})
final class LogoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Override
    public Integer call() throws IOException {
        String server = Credentials.serverKey(client.parsedTarget());
        Path file = CredentialsFile.defaultPath();
        CredentialsFile credentials = CredentialsFile.read(file);
        PrintWriter out = spec.commandLine().getOut();
        if (!credentials.servers().contains(server)) {
            out.println("No credentials for " + server + " in " + file);
        } else {
            credentials.without(server).write(file);
            out.println("Removed the credentials for " + server + " from " + file);
        }
        out.flush();
        return 0;
    }
}
