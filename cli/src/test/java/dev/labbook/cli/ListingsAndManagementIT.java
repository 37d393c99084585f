package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.NewRun;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 17, items 1-3 end to end: ids people can type (short ids, prefixes and suffixes,
 * ambiguity), output formats and terminal width, the commands that manage runs and experiments,
 * tables and params, and compare over a search.
 */
class ListingsAndManagementIT extends CliAgainstServer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    Map<String, String> cliEnvironment() {
        return Map.of("LABBOOK_TRACKING_URI", target);
    }

    private Cli.Result ok(String... args) throws Exception {
        Cli.Result result = cli.run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private Cli.Result fails(String... args) throws Exception {
        Cli.Result result = cli.run(args);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        return result;
    }

    private Cli narrow(int columns) {
        return new Cli(work, cliOutput, Map.of("LABBOOK_TRACKING_URI", target, "COLUMNS", Integer.toString(columns)));
    }

    private RunInfo run(String experiment, String name, Map<String, ?> params) {
        return client.runs().open(NewRun.in(experiment).withName(name).withParams(params)).run();
    }

    @Test
    void runsAreFoundByShortIdPrefixSuffixOrNameAndAmbiguityListsTheCandidates() throws Exception {
        RunInfo a = run("ids", "alpha", Map.of());
        RunInfo b = run("ids", "beta", Map.of());
        String shortA = a.id().substring(a.id().length() - 8);

        // Lists show the last 8 characters; --long the full id.
        String list = ok("runs", "list").stdout();
        assertThat(list).contains(shortA).doesNotContain(a.id());
        assertThat(ok("runs", "list", "--long").stdout()).contains(a.id(), b.id());

        // The short id, a longer suffix, a prefix that only one run has, the full id, EXPERIMENT/NAME.
        for (String ref : List.of(shortA, a.id().substring(20), a.id().substring(0, 30), a.id().toUpperCase(),
                "ids/alpha")) {
            JsonNode shown = JSON.readTree(ok("runs", "show", ref, "--json").stdout());
            assertThat(shown.get("run").get("id").asString()).as(ref).isEqualTo(a.id());
        }
        // Ids are UUIDv7: two runs made within the same second share their first 8 characters. The
        // resolver asks the server for both (id LIKE 'p%' OR id LIKE '%p'): ambiguous, both listed.
        String sharedPrefix = a.id().substring(0, 6);
        assertThat(b.id()).startsWith(sharedPrefix);
        assertThat(client.runs().searchAll(RunSearch.inProject("default")
                .filter(RunResolver.idPartFilter(sharedPrefix)))).hasSize(2);
        Cli.Result ambiguous = fails("params", sharedPrefix);
        assertThat(ambiguous.stderr()).contains("ambiguous run id '" + sharedPrefix + "'", "2 runs",
                a.id() + "  ids/alpha", b.id() + "  ids/beta");
        assertThat(fails("params", "abcdef0123").stderr()).contains("NOT_FOUND", "abcdef0123");
        assertThat(fails("params", "alpha").stderr()).contains("RUN must be a run id");
    }

    @Test
    void listingsPrintTableJsonAndCsvAndFitTheTerminalWidth() throws Exception {
        client.experiments().create("default", "formats", "a description long enough to be cut in a narrow "
                + "terminal, surely", "/some/folder/deep/below", Map.of("team", "vision"));
        RunInfo r = run("formats", "a-run-with-a-rather-long-name-that-does-not-fit", Map.of("lr", 0.1));

        Cli.Result csv = ok("runs", "list", "--format", "csv");
        List<String> lines = csv.stdout().lines().toList();
        assertThat(lines.get(0)).isEqualTo("ID,EXPERIMENT,NAME,STATUS,STARTED,DURATION");
        assertThat(lines.get(1)).startsWith(r.id() + ",formats,a-run-with");
        JsonNode json = JSON.readTree(ok("runs", "list", "--format", "json").stdout());
        assertThat(json.get(0).get("id").asString()).isEqualTo(r.id());
        assertThat(JSON.readTree(ok("runs", "list", "--json").stdout())).isEqualTo(json);
        assertThat(fails("runs", "list", "--format", "xml").stderr()).contains("--format must be table, json or csv");

        Cli.Result narrow = narrow(60).run("experiments", "list");
        assertThat(narrow.exitCode()).as(narrow.toString()).isZero();
        assertThat(narrow.stdout().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(60));
        assertThat(narrow.stdout()).contains("…", "formats");
        Cli.Result runs = narrow(60).run("runs", "list");
        assertThat(runs.stdout().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(60));
        assertThat(runs.stdout()).contains(r.id().substring(28), "a-run-", "…");
        Cli.Result wide = narrow(60).run("runs", "list", "--wide");
        assertThat(wide.stdout()).contains("a-run-with-a-rather-long-name-that-does-not-fit").doesNotContain("…");
        // CSV is never cut.
        assertThat(narrow(60).run("experiments", "list", "--format", "csv").stdout())
                .contains("\"a description long enough to be cut in a narrow terminal, surely\"");
    }

    @Test
    void runsAreTaggedRenamedDescribedDeletedRestoredAndPurged() throws Exception {
        RunInfo r = run("manage", "first", Map.of("lr", 0.5, "layers", 3L));
        String id = r.id().substring(28);

        assertThat(ok("runs", "tag", id, "team=vision", "stage=dev").stdout()).contains("stage=dev", "team=vision");
        assertThat(ok("runs", "untag", id, "stage").stdout()).contains("team=vision").doesNotContain("stage");
        assertThat(client.runs().get(r.id()).tags()).containsEntry("team", "vision").doesNotContainKey("stage");
        assertThat(ok("runs", "rename", "manage/first", "second").stdout()).contains("second");
        assertThat(client.runs().get(r.id()).name()).isEqualTo("second");
        ok("runs", "describe", id, "the baseline");
        assertThat(client.runs().get(r.id()).description()).isEqualTo("the baseline");

        assertThat(ok("params", id).stdout()).contains("PARAM", "layers", "3", "lr", "0.5");
        assertThat(JSON.readTree(ok("params", id, "--json").stdout()).get("lr").asDouble()).isEqualTo(0.5);
        assertThat(ok("params", id, "--format", "csv").stdout()).isEqualTo("PARAM,VALUE\r\nlayers,3\r\nlr,0.5\r\n");

        // Purging an active run is refused; deleting needs no terminal; purging without one needs --yes.
        assertThat(fails("runs", "purge", id, "--yes").stderr()).contains("not deleted", "runs delete");
        assertThat(ok("runs", "delete", id).stdout()).contains("deleted run manage/second", "runs restore " + id);
        assertThat(client.runs().get(r.id()).deleted()).isTrue();
        assertThat(ok("runs", "list").stdout()).doesNotContain(id);
        assertThat(ok("runs", "list", "--all").stdout()).contains(id, "(deleted)");
        ok("runs", "restore", id);
        assertThat(client.runs().get(r.id()).deleted()).isFalse();
        ok("runs", "delete", id, "--yes");
        Cli.Result refused = fails("runs", "purge", id);
        assertThat(refused.stderr()).contains("refusing to purge run", "cannot be undone", "--yes");
        assertThat(client.runs().get(r.id()).deleted()).isTrue();
        JsonNode purged = JSON.readTree(ok("runs", "purge", id, "--yes", "--json").stdout());
        assertThat(purged.get("purgedRuns").asLong()).isEqualTo(1);
        Assertions.assertThatThrownBy(() -> client.runs().get(r.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void experimentsAreCreatedRenamedDeletedRestoredAndPurged() throws Exception {
        JsonNode created = JSON.readTree(ok("experiments", "create", "exp-a", "-d", "about a", "--folder", "/x",
                "-t", "team=nlp", "--json").stdout());
        String id = created.get("id").asString();
        assertThat(created.get("tags").get("team").asString()).isEqualTo("nlp");
        assertThat(ok("experiments", "rename", "exp-a", "exp-b").stdout()).contains("exp-b");
        assertThat(client.experiments().get(id).name()).isEqualTo("exp-b");
        run("exp-b", "only", Map.of());
        ok("experiments", "delete", "EXP-B");
        assertThat(client.experiments().get(id).deleted()).isTrue();
        assertThat(ok("experiments", "list").stdout()).doesNotContain("exp-b");
        // the list's short id (the last 8 characters) names it too, deleted or not
        String shortId = id.substring(id.length() - 8);
        ok("experiments", "restore", shortId);
        assertThat(client.experiments().get(id).deleted()).isFalse();
        assertThat(ok("experiments", "list").stdout()).contains(shortId + "  exp-b");
        assertThat(ok("runs", "list", "-e", shortId).stdout()).contains("only");
        // UUIDv7: experiments made the same hour share their first 6 characters
        assertThat(client.experiments().create("default", "exp-other", "", "", Map.of()).id())
                .startsWith(id.substring(0, 6));
        Cli.Result ambiguous = fails("experiments", "rename", id.substring(0, 6), "exp-c");
        assertThat(ambiguous.stderr()).contains("ambiguous experiment id '" + id.substring(0, 6) + "'",
                "experiments of project 'default' match");
        assertThat(fails("runs", "list", "-e", "abcdef0123").stderr()).contains("NOT_FOUND", "'abcdef0123'");
        ok("experiments", "delete", id, "--yes");
        assertThat(fails("experiments", "purge", "exp-b").stderr()).contains("refusing to purge experiment");
        assertThat(ok("experiments", "purge", "exp-b", "--yes").stdout()).contains("purged experiment exp-b and 1 run(s)");
        assertThat(client.experiments().listAll("default")).extracting(ExperimentInfo::id).doesNotContain(id);
    }

    @Test
    void tablesAreListedShownAndWrittenAsCsv() throws Exception {
        RunInfo r = run("tables", "t", Map.of());
        client.tables().append(r.id(), "preds", List.of(Map.of("x", 1.0, "label", "cat, big"),
                Map.of("x", 2.5, "label", "dog")));
        assertThat(ok("tables", "tables/t").stdout()).contains("TABLE", "preds", "2", "x", "label");
        String shown = ok("tables", "tables/t", "preds").stdout();
        assertThat(shown).contains("cat, big", "dog", "2.5");
        List<String> csv = ok("tables", "tables/t", "preds", "--csv").stdout().lines().toList();
        assertThat(csv).hasSize(3);
        assertThat(csv.get(1)).contains("\"cat, big\"");
        JsonNode json = JSON.readTree(ok("tables", "tables/t", "preds", "--json").stdout());
        assertThat(json.get("rows")).hasSize(2);
        assertThat(fails("tables", "tables/t", "nope").stderr()).contains("NOT_FOUND", "nope");
        assertThat(JSON.readTree(ok("tables", "tables/t", "--json").stdout()).get(0).get("rowCount").asLong())
                .isEqualTo(2);
    }

    @Test
    void compareTakesASearchAndStaysReadableWithFiftyRuns() throws Exception {
        List<RunInfo> runs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RunInfo r = run("sweep", "trial-" + i, Map.of("lr", 0.001 * (i + 1), "epochs", 10L,
                    "optimizer", "adamw-with-a-long-name"));
            client.runs().setTags(r.id(), Map.of("seed", "1"), List.of());
            runs.add(r);
        }
        Cli.Result all = narrow(100).run("compare", "-e", "sweep", "--limit", "0");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        List<String> lines = all.stdout().lines().toList();
        assertThat(lines).hasSize(51);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
        assertThat(lines.get(0)).startsWith("ID").contains("p.lr");

        Cli.Result diff = ok("compare", "-e", "sweep", "--filter", "params.lr < 0.0035", "--order-by",
                "params.lr DESC", "--diff-only");
        List<String> diffLines = diff.stdout().lines().toList();
        assertThat(diffLines.get(0)).contains("p.lr").doesNotContain("p.epochs", "p.optimizer");
        assertThat(diffLines.get(1)).contains("trial-2");
        assertThat(diffLines.get(3)).contains("trial-0");
        assertThat(diff.stdout()).contains("equal column(s) hidden");

        String byIds = ok("compare", runs.get(0).id().substring(28), "sweep/trial-1", "--transpose").stdout();
        assertThat(byIds.lines().toList().get(0)).startsWith("FIELD").contains(runs.get(0).id().substring(28));
        assertThat(byIds).contains("params.epochs", "params.lr", "0.001", "0.002");
        JsonNode json = JSON.readTree(ok("compare", runs.get(0).id(), runs.get(1).id(), "--json").stdout());
        assertThat(json.get("runs")).hasSize(2);
        assertThat(json.get("differingParamKeys").toString()).contains("lr").doesNotContain("epochs");
        Cli.Result both = cli.run("compare", runs.get(0).id(), "-e", "sweep");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("not both");
    }

    /**
     * Runs {@code shell} in a pseudo-terminal (script(1)) whose keyboard types {@code typed}; the
     * CLI is {@code $LB}. Returns what the terminal showed, carriage returns removed.
     */
    private String onTerminal(String typed, String shell) throws Exception {
        Path keys = Files.writeString(work.resolve("typed-" + System.nanoTime()), typed);
        Path screen = cliOutput.resolve("terminal-" + System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder("script", "-qec", shell, "/dev/null").directory(work.toFile())
                .redirectInput(keys.toFile()).redirectErrorStream(true).redirectOutput(screen.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_") || k.equals("COLUMNS"));
        builder.environment().put("LABBOOK_TRACKING_URI", target);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("LB", Path.of(System.getProperty("java.home"), "bin", "java")
                + " -Xmx256m -XX:TieredStopAtLevel=1 " + LabbookCli.class.getName());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("script(1) finished").isTrue();
        return Files.readString(screen, StandardCharsets.UTF_8).replace("\r", "");
    }

    @Test
    void onATerminalTablesFitItsWidthAndDeleteAndPurgeAskFirst() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script(1) for a terminal");
        RunInfo r = run("tty", "a-very-long-run-name-that-does-not-fit-in-fifty-columns", Map.of());
        String id = r.id().substring(28);

        // No COLUMNS: the width comes from the terminal (stty size). "n" cancels the delete.
        String screen = onTerminal("n\n", "stty cols 50 rows 20; $LB runs list -e tty; $LB runs delete " + id
                + "; echo rc=$?");
        List<String> table = screen.lines().filter(l -> l.startsWith("ID") || l.startsWith(id)).toList();
        assertThat(table).hasSize(2).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(50));
        assertThat(table.get(1)).contains("a-very", "…");
        assertThat(screen).contains("Delete run tty/a-very-long-run-name", "[y/N]", "canceled: nothing was changed",
                "rc=1");
        assertThat(client.runs().get(r.id()).deleted()).isFalse();

        screen = onTerminal("y\n", "$LB runs delete " + id + "; echo rc=$?");
        assertThat(screen).contains("[y/N]", "deleted run tty/", "rc=0");
        assertThat(client.runs().get(r.id()).deleted()).isTrue();
        screen = onTerminal("yes\n", "$LB runs purge " + id + "; echo rc=$?");
        assertThat(screen).contains("Purge run tty/", "This cannot be undone. [y/N]", "purged 1 run(s)", "rc=0");
        Assertions.assertThatThrownBy(() -> client.runs().get(r.id())).isInstanceOf(NotFoundException.class);
    }
}
