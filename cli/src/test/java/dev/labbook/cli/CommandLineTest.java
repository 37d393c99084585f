package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher's command tree in process: help everywhere, options on client commands, completion. */
class CommandLineTest {
    private static final List<String> CLIENT_COMMANDS = List.of("run", "submit", "targets", "runs list", "runs show", "runs search",
            "experiments list", "metrics", "logs", "artifacts", "compare", "sync", "login", "logout", "whoami",
            "tokens create", "tokens list", "tokens revoke", "audit", "runs tag", "runs untag", "runs rename",
            "runs describe", "runs delete", "runs restore", "runs purge", "experiments create", "experiments rename",
            "experiments delete", "experiments restore", "experiments purge", "tables", "params");
    private static final List<String> LISTINGS = List.of("runs list", "runs search", "experiments list", "metrics",
            "artifacts", "compare", "tables", "params", "targets", "tokens list", "audit");

    private record Output(int exitCode, String out, String err) {
    }

    private static Output execute(String... args) {
        CommandLine cli = LabbookCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Output(code, out.toString(), err.toString());
    }

    private static List<List<String>> allCommandPaths(CommandLine cli, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        paths.add(prefix);
        cli.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> path = new ArrayList<>(prefix);
                path.add(name);
                paths.addAll(allCommandPaths(sub, path));
            }
        });
        return paths;
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = allCommandPaths(LabbookCli.commandLine(), List.of());
        assertThat(paths).hasSizeGreaterThan(14);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Output help = execute(args.toArray(String[]::new));
            assertThat(help.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).startsWith("Usage: labbook");
        }
    }

    @Test
    void aCommandRunsInATreeOfItsOwnThatMatchesTheWholeOne() {
        CommandLine whole = LabbookCli.commandLine();
        for (String name : List.of("run", "submit", "targets", "runs", "experiments", "metrics", "params", "tables", "logs",
                "artifacts", "compare", "sync", "login", "logout", "whoami", "tokens", "audit")) {
            CommandLine own = LabbookCli.commandLine(new String[] {name, "--help"});
            assertThat(own.getSubcommands().keySet()).as(name).containsExactly(name);
            assertThat(own.getSubcommands().get(name).getUsageMessage()).as(name)
                    .isEqualTo(whole.getSubcommands().get(name).getUsageMessage());
            assertThat(own.getSubcommands().get(name).getExecutionExceptionHandler()).isInstanceOf(ErrorReporter.class);
        }
        // Help, completion and anything else: the whole tree.
        for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"completion"},
                new String[] {"help", "runs"}, new String[] {"server"}, new String[] {"nonsense"})) {
            assertThat(LabbookCli.commandLine(args).getSubcommands()).as(String.join(" ", args))
                    .containsOnlyKeys(whole.getSubcommands().keySet());
        }
    }

    @Test
    void topLevelHelpListsServerAndClientCommands() {
        String help = execute("--help").out();
        for (String command : List.of("server", "migrate", "run", "submit", "targets", "runs", "experiments", "metrics", "logs",
                "artifacts", "compare", "sync", "login", "logout", "whoami", "tokens", "audit", "completion", "params",
                "tables")) {
            assertThat(help).containsPattern("(?m)^  " + command + "\\s");
        }
    }

    @Test
    void everyListingTakesFormatLongAndWide() {
        for (String command : LISTINGS) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            String help = execute(args.toArray(String[]::new)).out();
            assertThat(help).as(command).contains("--format", "--long", "--wide", "--json");
        }
    }

    @Test
    void everyClientCommandTakesTargetProjectAndJson() {
        for (String command : CLIENT_COMMANDS) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            String help = execute(args.toArray(String[]::new)).out();
            assertThat(help).as(command).contains("--target", "LABBOOK_TRACKING_URI", "--project", "--json");
        }
    }

    @Test
    void tokenLifetimesAndRolesAreCheckedBeforeAnyCall() {
        assertThat(Ttl.parse("90d")).isEqualTo(java.time.Duration.ofDays(90));
        assertThat(Ttl.parse("12h")).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(Ttl.parse(" 30M ")).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(Ttl.parse("2w")).isEqualTo(java.time.Duration.ofDays(14));
        assertThat(Ttl.parse("3600s")).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(Ttl.parse("never")).isZero();
        Output badTtl = execute("tokens", "create", "--name", "x", "--role", "viewer", "--expires", "3 months",
                "--target", "127.0.0.1:1");
        assertThat(badTtl.exitCode()).isEqualTo(1);
        assertThat(badTtl.err()).contains("--expires '3 months'", "90d");
        Output badRole = execute("tokens", "create", "--name", "x", "--role", "owner", "--target", "127.0.0.1:1");
        assertThat(badRole.exitCode()).isEqualTo(1);
        assertThat(badRole.err()).contains("--role", "viewer, editor or admin");
        Output noName = execute("tokens", "create", "--role", "viewer");
        assertThat(noName.exitCode()).isEqualTo(2);
    }

    @Test
    void runNeedsAnExperimentAndACommand() {
        Output noExperiment = execute("run", "--", "python3", "x.py");
        assertThat(noExperiment.exitCode()).isEqualTo(2);
        assertThat(noExperiment.err()).contains("--experiment");
        Output noCommand = execute("run", "-e", "x");
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.err()).contains("COMMAND");
    }

    @Test
    void argumentsAfterTheDoubleDashAreNotExpandedAsAtFiles(@TempDir Path dir) throws Exception {
        // picocli would replace @FILE by the file's words and turn @@x into @x, even after --.
        Path atFile = Files.writeString(dir.resolve("args.txt"), "--lr 0.1\n");
        CommandLine cli = LabbookCli.commandLine();
        cli.parseArgs("run", "-e", "x", "--", "curl", "-d", "@" + atFile, "@@lit", "@");
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        assertThat(run.command).containsExactly("curl", "-d", "@" + atFile, "@@lit", "@");
    }

    @Test
    void badRunReferencesAreOneLineErrors() {
        Output bad = execute("logs", "no-slash", "--target", "127.0.0.1:1");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().strip()).isEqualTo(
                "labbook: error: RUN must be a run id, 6 or more of its characters (from the start or the end, e.g. "
                        + "a list's short id) or EXPERIMENT/RUN-NAME, got 'no-slash'");
    }

    @Test
    void completionScriptIsValidBashCoveringEveryCommand(@TempDir Path dir) throws Exception {
        Output completion = execute("completion", "bash");
        assertThat(completion.exitCode()).isZero();
        assertThat(execute("completion").out()).isEqualTo(completion.out());
        assertThat(execute("completion", "fish").exitCode()).isEqualTo(2);
        assertThat(completion.out()).contains("complete -F", "labbook", "sync", "compare", "--experiment",
                "--follow");
        Path script = Files.writeString(dir.resolve("labbook.bash"), completion.out(), StandardCharsets.UTF_8);
        Process check = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(output).isZero();
    }
}
