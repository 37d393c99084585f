package dev.labbook.cli;

import dev.labbook.sdk.Caller;
import dev.labbook.sdk.Credentials;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.RoleBinding;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labbook whoami}: who the server takes this CLI for, with which roles, and where its token came from. */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Shows who the server takes you for (GetCaller), your roles, and where the token came from.")
final class WhoamiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    /** What {@code whoami --json} prints; {@code credentials} is where the token came from, never the token. */
    record WhoAmI(String server, Caller caller, String credentials) {
    }

    static String roles(Caller caller) {
        return caller.roles().isEmpty() ? "(none)"
                : caller.roles().stream().map(RoleBinding::toString).collect(Collectors.joining(", "));
    }

    @Override
    public Integer call() {
        try (LabbookClient labbook = client.connect()) {
            String source = labbook.credentials().current().map(Credentials.Found::source).orElse("none");
            Caller caller = labbook.access().caller();
            String server = Credentials.serverKey(labbook.target());
            PrintWriter out = spec.commandLine().getOut();
            if (client.json()) {
                Json.print(out, new WhoAmI(server, caller, source));
                return 0;
            }
            out.println("server       " + server + (caller.authEnabled() ? "" : " (access control off)"));
            out.println("principal    " + caller.principal());
            out.println("method       " + caller.method());
            out.println("roles        " + roles(caller));
            if (!caller.tokenId().isEmpty()) {
                out.println("token id     " + caller.tokenId());
            }
            out.println("expires      " + (caller.expireTimeMs() > 0 ? Formats.time(caller.expireTimeMs()) : "never"));
            out.println("credentials  " + source);
            out.flush();
        }
        return 0;
    }
}
