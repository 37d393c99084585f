package dev.labbook.cli;

import static dev.labbook.cli.CliTestSupport.awaitContains;
import static dev.labbook.cli.CliTestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.labbook.sdk.Artifact;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogStream;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import dev.labbook.sdk.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code labbook run} end to end: a real server, the CLI and a Python script as separate processes. */
class RunCommandIT extends CliAgainstServer {
    @Test
    void runsAnArgparseScriptAndRecordsEverything() throws Exception {
        script(work, "train.py");
        git("init", "-q");
        git("add", "train.py");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        String commit = gitOut("rev-parse", "HEAD").strip();
        Files.writeString(work.resolve("untracked.txt"), "dirty");
        Files.writeString(work.resolve("args.txt"), "--epochs 99"); // not an argument file for labbook

        Cli.Result result = cli.run("run", "--target", target, "--experiment", "mnist", "--name", "lr-small",
                "--tag", "team=vision", "--param", "lr=0.01", "--param", "epochs=3", "--param", "opt=adam",
                "--", "python3", "train.py", "--epochs", "3", "--label", "it's \"quoted\" $HOME", "--", "--not-an-option", "",
                "@args.txt", "@@lit");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        // Teed live to the terminal, unchanged.
        assertThat(result.stdout()).contains("epoch 0 loss=1.000\n", "epoch 2 loss=0.333\n")
                .endsWith("no newline at exit");
        assertThat(result.stderr()).contains("warning 0\nwarning 1\nwarning 2\n").contains("COMPLETED");
        // Upload progress without a terminal: one final plain line.
        assertThat(result.stderr()).doesNotContain("\r");
        assertThat(result.stderr().lines().filter(l -> l.startsWith("uploading outputs")).toList())
                .singleElement().asString().contains("100%");

        RunInfo run = onlyRun("mnist");
        assertThat(run.name()).isEqualTo("lr-small");
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.endTimeMs()).isPositive();
        assertThat(run.tags()).containsEntry("team", "vision");
        assertThat(run.params()).containsEntry("lr", 0.01).containsEntry("epochs", 3L).containsEntry("opt", "adam");
        assertThat(run.source().script()).isEqualTo("python3");
        assertThat(run.source().args()).containsExactly("train.py", "--epochs", "3", "--label",
                "it's \"quoted\" $HOME", "--", "--not-an-option", "", "@args.txt", "@@lit");
        assertThat(run.source().workingDir()).isEqualTo(work.toRealPath().toString());
        assertThat(run.source().host()).isNotBlank();
        assertThat(run.source().gitCommit()).isEqualTo(commit);
        assertThat(run.source().gitDirty()).isTrue();

        List<String> lines = logTexts(run.id());
        // Arguments reach argparse unchanged (the second --, the empty string and @words included).
        assertThat(lines.get(0)).isEqualTo("argv [\"--epochs\", \"3\", \"--label\", \"it's \\\"quoted\\\" $HOME\", \"--\", "
                + "\"--not-an-option\", \"\", \"@args.txt\", \"@@lit\"]");
        assertThat(lines.get(1)).contains("\"epochs\": 3", "\"rest\": [\"--not-an-option\", \"\", \"@args.txt\", \"@@lit\"]");
        assertThat(lines.get(2)).contains("\"LABBOOK_RUN_ID\": \"" + run.id() + "\"",
                "\"LABBOOK_EXPERIMENT\": \"mnist\"", "\"LABBOOK_PROJECT\": \"default\"",
                "\"LABBOOK_RUN_NAME\": \"lr-small\"", "\"LABBOOK_TRACKING_URI\": \"" + target + "\"");
        assertThat(lines.subList(3, lines.size())).containsExactly("epoch 0 loss=1.000", "warning 0",
                "epoch 1 loss=0.500", "warning 1", "epoch 2 loss=0.333", "warning 2", "no newline at exit");
        List<LogLine> log = client.logs().read(run.id(), 0, 0, null);
        assertThat(log.get(3).stream()).isEqualTo(LogStream.STDOUT);
        assertThat(log.get(4).stream()).isEqualTo(LogStream.STDERR);

        List<Artifact> artifacts = client.artifacts().listAll(run.id(), "");
        assertThat(artifacts).extracting(Artifact::path).containsExactlyInAnyOrder("outputs/model.txt",
                "outputs/sub/metrics.json");
        assertThat(artifacts).allMatch(a -> a.direction() == Direction.OUTPUT);
        assertThat(artifacts.stream().filter(a -> a.path().equals("outputs/model.txt")).findFirst().orElseThrow()
                .sizeBytes()).isEqualTo(8000);
    }

    @Test
    void onlyOutputsWrittenByThisRunAreUploadedAndTheStaleOnesAreNamed() throws Exception {
        // An earlier run left outputs/model.npz behind; this run writes outputs/fresh.txt only.
        Path stale = Files.createDirectories(work.resolve("outputs")).resolve("model.npz");
        Files.writeString(stale, "old weights");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 3_600_000));
        Cli.Result result = cli.run("run", "--target", target, "-e", "stale-outputs", "--", "python3", "-c",
                "open('outputs/fresh.txt', 'w').write('new')");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        RunInfo run = onlyRun("stale-outputs");
        assertThat(client.artifacts().listAll(run.id(), "")).extracting(Artifact::path)
                .containsExactly("outputs/fresh.txt");
        assertThat(result.stderr()).contains("skipped 1 file in outputs/ older than this run: model.npz "
                + "(use --upload-all-outputs to include them)");

        Cli.Result all = cli.run("run", "--target", target, "-e", "all-outputs", "--upload-all-outputs", "--",
                "python3", "-c", "print('nothing new')");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(client.artifacts().listAll(onlyRun("all-outputs").id(), "")).extracting(Artifact::path)
                .containsExactlyInAnyOrder("outputs/model.npz", "outputs/fresh.txt");
        assertThat(all.stderr()).doesNotContain("skipped");
    }

    @Test
    void aFailingScriptFailsTheRunAndItsExitCodeIsReturned() throws Exception {
        script(work, "train.py");
        Cli.Result result = cli.run("run", "--target", target, "-e", "failing", "--json", "--", "python3",
                "train.py", "--exit-code", "7");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(7);
        RunInfo run = onlyRun("failing");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        // --json: the script's output, then one JSON document describing the finished run.
        String json = result.stdout().substring(result.stdout().indexOf("no newline at exit") + 18);
        tools.jackson.databind.JsonNode summary = tools.jackson.databind.json.JsonMapper.builder().build().readTree(json);
        assertThat(summary.get("run").get("id").asString()).isEqualTo(run.id());
        assertThat(summary.get("run").get("status").asString()).isEqualTo("FAILED");
        assertThat(summary.get("exitCode").asInt()).isEqualTo(7);
        assertThat(summary.get("outputs").toString()).contains("outputs/model.txt", "outputs/sub/metrics.json");
        assertThat(run.source().gitCommit()).isEmpty(); // not a git work tree
        assertThat(logTexts(run.id())).contains("epoch 0 loss=1.000", "no newline at exit");
        // Outputs are uploaded whatever the exit code: they help to understand a failure.
        assertThat(client.artifacts().listAll(run.id(), "")).hasSize(2);
    }

    @Test
    void aScriptThatCannotStartFailsTheRun() throws Exception {
        Cli.Result result = cli.run("run", "--target", target, "-e", "missing", "--",
                "no-such-command-labbook-test");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(127);
        assertThat(result.stderr()).contains("no-such-command-labbook-test");
        assertThat(onlyRun("missing").status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void anUnreachableServerFailsBeforeTheScriptRuns() throws Exception {
        Cli.Result result = cli.run("run", "--target", "127.0.0.1:1", "-e", "nowhere", "--", "python3", "-c",
                "open('ran', 'w').write('yes')");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("labbook: error: UNAVAILABLE: cannot reach the Labbook server at "
                + "127.0.0.1:1 (target from --target): ").contains("Is the server running there?");
        assertThat(work.resolve("ran")).doesNotExist();

        // From the environment, named as such; a stopped server fails within seconds.
        long start = System.nanoTime();
        Cli.Result fromEnv = new Cli(work, cliOutput, java.util.Map.of("LABBOOK_TRACKING_URI", "127.0.0.1:1"))
                .run("runs", "list");
        assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isEqualTo(1);
        assertThat(fromEnv.stderr()).contains("at 127.0.0.1:1 (target from env LABBOOK_TRACKING_URI)",
                "LABBOOK_TRACKING_URI");
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms, JVM start included").isLessThan(15_000);

        Cli.Result http = cli.run("runs", "list", "--target", "http://127.0.0.1:7880");
        assertThat(http.exitCode()).isEqualTo(1);
        assertThat(http.stderr()).contains("(from --target)", "the SDKs speak gRPC", "7880 is the web UI's HTTP port");
    }

    @Test
    void resumeAndNewDecideWhatAnExistingRunNameDoes() throws Exception {
        Cli.Result first = cli.run("run", "--target", target, "-e", "policy", "-n", "nightly", "--new", "--",
                "python3", "-c", "print('one')");
        assertThat(first.exitCode()).as(first.toString()).isZero();

        Cli.Result taken = cli.run("run", "--target", target, "-e", "policy", "-n", "nightly", "--new", "--",
                "python3", "-c", "open('ran', 'w').write('yes')");
        assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(1);
        assertThat(taken.stderr()).startsWith("labbook: error: ALREADY_EXISTS");
        Cli.Result missing = cli.run("run", "--target", target, "-e", "policy", "-n", "other", "--resume", "--",
                "python3", "-c", "open('ran', 'w').write('yes')");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.stderr()).startsWith("labbook: error: NOT_FOUND");
        assertThat(work.resolve("ran")).as("refused before the script started").doesNotExist();

        Cli.Result resumed = cli.run("run", "--target", target, "-e", "policy", "-n", "nightly", "--resume", "--",
                "python3", "-c", "print('two')");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.stderr()).contains("resumed run");
        RunInfo run = onlyRun("policy");
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.resumeCount()).isEqualTo(1);
        assertThat(logTexts(run.id())).containsExactly("one", "two");

        Cli.Result both = cli.run("run", "--target", target, "-e", "policy", "-n", "x", "--resume", "--new", "--",
                "true");
        assertThat(both.exitCode()).as(both.toString()).isEqualTo(2);
        Cli.Result noName = cli.run("run", "--target", target, "-e", "policy", "--resume", "--", "true");
        assertThat(noName.exitCode()).as(noName.toString()).isEqualTo(1);
        assertThat(noName.stderr()).contains("--resume needs --name");
    }

    @Test
    void sigtermIsForwardedAndCancelsTheRun() throws Exception {
        script(work, "wait_signal.py");
        Cli.Running running = cli.start("run", "--target", target, "-e", "signals", "--", "python3",
                "wait_signal.py");
        awaitContains(running.stdout(), "ready", 60);
        CliTestSupport.kill(running.process().pid(), "TERM");
        Cli.Result result = running.await();
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(143);
        RunInfo run = onlyRun("signals");
        assertThat(run.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(logTexts(run.id())).containsExactly("ready", "got SIGTERM");
    }

    @Test
    void ctrlCIsForwardedOnceAndCancelsTheRun() throws Exception {
        script(work, "wait_signal.py");
        Cli.Running running = cli.start("run", "--target", target, "-e", "ctrl-c", "--", "python3",
                "wait_signal.py");
        awaitContains(running.stdout(), "ready", 60);
        assumeFalse(CliTestSupport.ignoresSigint(running.process().pid()),
                "this test JVM was started with SIGINT ignored (a background job), so its children cannot get it");
        CliTestSupport.kill(running.process().pid(), "INT");
        Cli.Result result = running.await();
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(130);
        RunInfo run = onlyRun("ctrl-c");
        assertThat(run.status()).isEqualTo(RunStatus.CANCELED);
        // One SIGINT only: the script's cleanup ran to its end.
        assertThat(logTexts(run.id())).containsExactly("ready", "got SIGINT", "cleanup done");
    }

    @Test
    void aSignalDuringTheOutputsUploadStillEndsTheRunCanceled() throws Exception {
        // The script succeeds; the signal comes while its many outputs are being uploaded.
        Cli.Running running = cli.start("run", "--target", target, "-e", "late-signal", "--", "python3", "-c",
                "import os\nos.makedirs('outputs')\nfor i in range(3000):\n"
                        + "    open('outputs/f%04d.txt' % i, 'w').write('x' * 100)\nprint('done')");
        awaitContains(running.stdout(), "done", 60);
        String runId = awaitRunId("late-signal");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (client.artifacts().listAll(runId, "").isEmpty()) { // the upload is under way
            assertThat(System.nanoTime()).as("no output was uploaded within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        CliTestSupport.kill(running.process().pid(), "TERM");
        long signaled = System.nanoTime();
        Cli.Result result = running.await();
        long tookMs = (System.nanoTime() - signaled) / 1_000_000;

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(143); // 128 + SIGTERM, as a shell reports it
        assertThat(result.stderr()).contains("canceled by SIGTERM after the script ended", "CANCELED (exit code 0");
        RunInfo run = client.runs().get(runId);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(logTexts(runId)).containsExactly("done");
        assertThat(client.artifacts().listAll(runId, "").size()).as("the upload was cut short").isLessThan(3000);
        assertThat(tookMs).as("labbook run stopped soon after the signal").isLessThan(10_000);
    }

    private String awaitRunId(String experiment) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            List<RunInfo> runs = client.runs().searchAll(RunSearch.inProject("default")
                    .filter("experiment = '" + experiment + "'"));
            if (!runs.isEmpty()) {
                return runs.get(0).id();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no run in " + experiment);
    }

    @Test
    void logsFollowSeesLinesWhileTheScriptRunsAndEndsWithTheRun() throws Exception {
        script(work, "wait_file.py");
        Path go = work.resolve("go");
        Cli.Running run = cli.start("run", "--target", target, "-e", "live", "-n", "follow-me", "--",
                "python3", "wait_file.py", go.toString());
        awaitContains(run.stdout(), "before", 60);
        Cli.Running follow = cli.start("logs", "--target", target, "live/follow-me", "-f");
        awaitContains(follow.stdout(), "before", 60);
        assertThat(run.process().isAlive()).isTrue();
        assertThat(follow.stdoutSoFar()).doesNotContain("after");
        Files.writeString(go, "go");
        assertThat(run.await().exitCode()).isZero();
        Cli.Result followed = follow.await();
        assertThat(followed.exitCode()).as(followed.toString()).isZero();
        assertThat(followed.stdout()).isEqualTo("before\nafter\n");
    }

    private void git(String... args) throws Exception {
        gitOut(args);
    }

    private String gitOut(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
