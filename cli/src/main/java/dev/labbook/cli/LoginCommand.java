package dev.labbook.cli;

import dev.labbook.sdk.Caller;
import dev.labbook.sdk.Credentials;
import dev.labbook.sdk.CredentialsFile;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.UnauthenticatedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code labbook login}: checks a token with the server (GetCaller), then stores it in the
 * server's section of {@code ~/.labbook/credentials} (mode 0600), where both SDKs and the CLI find it.
 */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks an API token (or JWT) with the server and saves it in ~/.labbook/credentials "
                + "(mode 0600), in the section of the server (host:port), for the CLI and both SDKs.",
            "Without --token the token is read from the terminal without echo, or from stdin: "
                + "echo \"$TOKEN\" | labbook login --target HOST:PORT.",
            "LABBOOK_TOKEN and LABBOOK_TOKEN_FILE, when set, still come first."})
final class LoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "The token (lbk_...). Prefer the prompt or stdin: a command line ends up in shell history.")
    String token;

    /** What {@code login --json} prints. */
    record LoggedIn(String server, Caller caller, String credentialsFile) {
    }

    @Override
    public Integer call() throws IOException {
        String server = Credentials.serverKey(client.parsedTarget());
        String secret = token != null && !token.isBlank() ? token.strip()
                : SecretInput.read("Token for " + server + ": ", System.in);
        Caller caller;
        try (LabbookClient labbook = client.connect(dev.labbook.sdk.ClientOptions.DEFAULT.withToken(secret))) {
            caller = labbook.access().caller();
        } catch (UnauthenticatedException e) {
            throw new CliException("the server at " + server + " does not accept this token: " + e.getMessage()
                    .replace(" (" + UnauthenticatedException.HINT + ")", "") + "; nothing saved");
        }
        Path file = CredentialsFile.defaultPath();
        CredentialsFile.read(file).withToken(server, secret).write(file);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!caller.authEnabled()) {
            err.println("labbook: warning: the server at " + server + " has access control off: it did not check "
                    + "the token (saved anyway)");
        }
        if (System.getenv("LABBOOK_TOKEN") != null && !System.getenv("LABBOOK_TOKEN").isBlank()) {
            err.println("labbook: note: LABBOOK_TOKEN is set in this shell and comes before the credentials file");
        }
        err.flush();
        if (client.json()) {
            Json.print(out, new LoggedIn(server, caller, file.toString()));
            return 0;
        }
        out.println("Logged in to " + server + " as " + caller.principal() + " (" + caller.method() + ")");
        out.println("Roles: " + WhoamiCommand.roles(caller));
        if (caller.expireTimeMs() > 0) {
            out.println("Expires: " + Formats.time(caller.expireTimeMs()));
        }
        out.println("Saved to " + file + " [" + server + "]");
        out.flush();
        return 0;
    }
}
