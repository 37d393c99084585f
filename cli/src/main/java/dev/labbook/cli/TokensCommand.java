package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.NewToken;
import dev.labbook.sdk.Role;
import dev.labbook.sdk.TokenInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook tokens create|list|revoke}: API tokens (admins of a project). */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Creates, lists and revokes API tokens (needs the admin role in the project).",
        subcommands = {TokensCommand.CreateToken.class, TokensCommand.ListTokens.class,
            TokensCommand.RevokeToken.class})
final class TokensCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Creates an API token with one role in one project (--project '*': every project) "
                    + "and prints its secret, once: the server keeps only a hash.",
                "Example: labbook tokens create --name ci --project vision --role editor --expires 90d"})
    static final class CreateToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "What the token is for (1-128 characters), e.g. ci or alice-laptop.")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "viewer (read), editor (also write and delete) or admin (also purge, tokens, audit).")
        String role;

        @Option(names = "--expires", paramLabel = "TTL", defaultValue = "never",
                description = "Lifetime, e.g. 12h, 30d, 90d, 2w; 'never' (default) for no expiry.")
        String expires;

        @Override
        public Integer call() {
            Role parsed;
            try {
                parsed = Role.parse(role);
            } catch (IllegalArgumentException e) {
                throw new CliException("--role " + e.getMessage());
            }
            Duration ttl = Ttl.parse(expires);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (LabbookClient labbook = client.connect()) {
                NewToken created = labbook.access().createToken(name, client.project(), parsed, ttl);
                if (client.json()) {
                    Json.print(out, created);
                    err.println("labbook: the secret is shown only this once; store it now");
                    err.flush();
                    return 0;
                }
                TokenInfo t = created.token();
                out.println("Created token '" + t.name() + "' (id " + t.id() + "): " + t.role().label() + " in project "
                        + t.project() + ", " + (t.expireTimeMs() > 0 ? "expires " + Formats.time(t.expireTimeMs())
                                : "never expires"));
                out.println();
                out.println("    " + created.secret());
                out.println();
                out.println("This secret is shown only this once: the server keeps only a hash. Store it now, e.g. as "
                        + "LABBOOK_TOKEN or with 'labbook login'.");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the tokens of the projects you administer (or of --project), newest first. "
                    + "Never shows secrets.")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Mixin
        ListingOptions listing = new ListingOptions();

        @Option(names = "--all", description = "Also revoked and expired tokens.")
        boolean all;

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                List<TokenInfo> tokens = labbook.access().listAllTokens(client.explicitProject(), all);
                PrintWriter out = spec.commandLine().getOut();
                if (listing.json(client)) {
                    Json.print(out, tokens);
                    return 0;
                }
                Table table = new Table("ID", "NAME", "PROJECT", "ROLE", "PREFIX", "CREATED", "EXPIRES", "LAST USED",
                        "REVOKED");
                for (TokenInfo t : tokens) {
                    table.row(t.id(), t.name(), t.project(), t.role() == null ? "?" : t.role().label(), t.prefix(),
                            Formats.time(t.createTimeMs()), t.expireTimeMs() > 0 ? Formats.time(t.expireTimeMs()) : "never",
                            t.lastUseTimeMs() > 0 ? Formats.time(t.lastUseTimeMs()) : "never",
                            Formats.time(t.revokeTimeMs()));
                }
                listing.print(client, out, table);
                if (tokens.isEmpty() && listing.format(client) == ListingOptions.Format.TABLE) {
                    out.println(all ? "(no tokens)" : "(no active tokens; --all shows revoked and expired ones)");
                    out.flush();
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a token: within 10 s no server accepts it any more.")
    static final class RevokeToken implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (labbook tokens list).")
        String id;

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                TokenInfo t = labbook.access().revokeToken(id);
                PrintWriter out = spec.commandLine().getOut();
                if (client.json()) {
                    Json.print(out, t);
                    return 0;
                }
                out.println("Revoked token '" + t.name() + "' (id " + t.id() + ", " + t.prefix() + "...) at "
                        + Formats.time(t.revokeTimeMs()) + "; servers refuse it within 10 s");
                out.flush();
            }
            return 0;
        }
    }
}
