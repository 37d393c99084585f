package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code experiment.submit(ScriptRunConfig)} against a real server: local submissions run by the
 * detached runner (a JVM of its own) with shell scripts, and server-target errors.
 */
@ExtendWith(LabbookServerExtension.class)
class SubmitIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path source;
    private Labbook labbook;
    private LabbookClient client;

    @BeforeEach
    void connect(TestServer server) {
        labbook = Labbook.connect(server.target());
        client = labbook.client();
    }

    @AfterEach
    void close() {
        labbook.close();
    }

    private void script(String name, String body) throws Exception {
        Path file = source.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aLocalScriptGetsItsArgumentsUnchangedAndItsOutputIsFollowedLive() throws Exception {
        script("train.sh", """
                for a in "$@"; do printf '<%s>\\n' "$a"; done
                echo "run=$LABBOOK_RUN_ID experiment=$LABBOOK_EXPERIMENT greeting=$GREETING"
                echo "to stderr" >&2
                mkdir -p outputs && echo weights > outputs/model.txt
                """);
        ScriptRunConfig config = ScriptRunConfig.builder().sourceDirectory(source).script("train.sh")
                .arguments("--reg_rate", "0.1", "two words", "", "*", "$HOME").variable("GREETING", "hello").build();

        SubmittedRun run = labbook.experiment("submit-local").submit(config,
                NewRun.in("ignored").withName("first").withParams(java.util.Map.of("lr", 0.1)));
        assertThat(run.submittedRun().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(run.computeTarget()).isEqualTo("local");
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        RunInfo finished = run.waitForCompletion(new PrintStream(shown, true, StandardCharsets.UTF_8), WAIT);

        assertThat(finished.status()).as(runnerLog(run)).isEqualTo(RunStatus.COMPLETED);
        assertThat(finished.name()).isEqualTo("first");
        assertThat(finished.params()).containsEntry("lr", 0.1);
        assertThat(finished.tags()).containsEntry("labbook.compute_target", "local");
        assertThat(finished.source().script()).isEqualTo("train.sh");
        assertThat(finished.source().args()).containsExactly("--reg_rate", "0.1", "two words", "", "*", "$HOME");
        // stdout in order; the stderr line comes through a pipe of its own, so where it lands among
        // them is up to the two pumps
        List<String> shownLines = shown.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(shownLines).contains("to stderr").hasSize(8);
        assertThat(shownLines.stream().filter(l -> !l.equals("to stderr")).toList()).containsExactly("<--reg_rate>",
                "<0.1>", "<two words>", "<>", "<*>", "<$HOME>",
                "run=" + run.id() + " experiment=submit-local greeting=hello");
        assertThat(client.artifacts().listAll(run.id(), "")).extracting(Artifact::path)
                .containsExactly("outputs/model.txt");
        assertThat(run.runnerLog()).isPresent();
        assertThat(runnerLog(run)).contains("<two words>", "COMPLETED (exit code 0)");
    }

    @Test
    void aJavaScriptLogsIntoItsSubmittedRunThroughGetContext() throws Exception {
        Files.writeString(source.resolve("Train.java"), """
                import dev.labbook.sdk.Run;

                public class Train {
                    public static void main(String[] args) throws Exception {
                        try (Run run = Run.getContext()) {
                            for (int step = 0; step < 3; step++) {
                                run.logMetric("loss", 1.0 / (step + 1), step);
                            }
                            System.out.println("args " + String.join("|", args));
                        }
                    }
                }
                """);
        SubmittedRun run = labbook.experiment("submit-java").submit(ScriptRunConfig.builder().sourceDirectory(source)
                .script("Train.java").arguments("a b", "c").build());
        RunInfo finished = run.waitForCompletion(false, WAIT);
        assertThat(finished.status()).as(runnerLog(run)).isEqualTo(RunStatus.COMPLETED);
        assertThat(client.metrics().history(run.id(), "loss").values()).containsExactly(1.0, 0.5, 1.0 / 3);
        assertThat(client.logs().read(run.id(), 0, 0, null)).extracting(LogLine::text).contains("args a b|c");
    }

    @Test
    void aFailingScriptEndsFailedAndIsThrownWhenAsked() throws Exception {
        script("fail.sh", "echo about to fail\nexit 3\n");
        SubmittedRun run = labbook.experiment("submit-fail").submit(ScriptRunConfig.builder().sourceDirectory(source)
                .script("fail.sh").build());

        assertThatThrownBy(() -> run.waitForCompletion(false, WAIT, true)).isInstanceOf(RunFailedException.class)
                .hasMessageContaining("ended FAILED (finish); the local runner's output is in " + run.runnerLog().get())
                .satisfies(e -> assertThat(((RunFailedException) e).run().status()).isEqualTo(RunStatus.FAILED))
                .satisfies(e -> assertThat(((RunFailedException) e).statusChange()).get()
                        .extracting(StatusChange::from).isEqualTo(RunStatus.RUNNING));
        RunInfo finished = run.waitForCompletion(false, WAIT);
        assertThat(finished.status()).isEqualTo(RunStatus.FAILED);
        assertThat(client.logs().read(run.id(), 0, 0, null)).extracting(LogLine::text).containsExactly("about to fail");
    }

    @Test
    void waitingTimesOutWhileTheRunGoesOnAndCancelEndsItAndTheScript() throws Exception {
        script("long.sh", "echo $$ > pid.txt\necho started\nsleep 60\n");
        SubmittedRun run = labbook.experiment("submit-cancel").submit(ScriptRunConfig.builder().sourceDirectory(source)
                .script("long.sh").build());
        Path pidFile = source.resolve("pid.txt");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.isRegularFile(pidFile) && Files.size(pidFile) > 0) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());

        long started = System.nanoTime();
        assertThatThrownBy(() -> run.waitForCompletion(false, Duration.ofMillis(800)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("still RUNNING");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(700L, 5_000L);
        assertThat(run.refresh().status()).isEqualTo(RunStatus.RUNNING);

        assertThat(run.cancel().status()).isEqualTo(RunStatus.CANCELED);
        assertThat(run.waitForCompletion(false, WAIT).status()).isEqualTo(RunStatus.CANCELED);
        ProcessHandle script = ProcessHandle.of(pid).orElse(null);
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (script != null && script.isAlive() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(script == null || !script.isAlive()).as("script %d still alive", pid).isTrue();
        // the runner saw the cancel, forwarded it and ended (its last line; waited for whole, as
        // the runner may still be writing it when the run's status already says CANCELED)
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!runnerLog(run).contains("CANCELED (exit code 143, canceled by SIGTERM)") && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(runnerLog(run)).contains("CANCELED (exit code 143, canceled by SIGTERM)");
    }

    @Test
    void aRunnerThatCannotStartDoesNotLeaveItsRunQueued() throws Exception {
        script("train.sh", "echo never\n");
        // the variable reaches the runner's JVM too, which then refuses to start
        SubmittedRun run = labbook.experiment("submit-broken-runner").submit(ScriptRunConfig.builder()
                .sourceDirectory(source).script("train.sh").variable("JAVA_TOOL_OPTIONS", "-XX:+NoSuchLabbookOption")
                .build());
        assertThat(run.waitForCompletion(false, WAIT).status()).isEqualTo(RunStatus.CANCELED);
        assertThat(runnerLog(run)).contains("NoSuchLabbookOption");
    }

    @Test
    void anUnknownServerTargetFailsBeforeAnyRunIsCreated() throws Exception {
        // This server has no compute targets (nor, until the server's SubmitService lands, a
        // SubmitService: the SDK reads UNIMPLEMENTED as no targets, as the Python SDK does).
        script("train.sh", "echo never\n");
        Experiment experiment = labbook.experiment("submit-unknown");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.sh")
                .computeTarget("gpu").build()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("no compute target \"gpu\"").hasMessageContaining("local")
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.COMPUTE_TARGET_UNKNOWN));
        assertThat(experiment.runs()).isEmpty();
    }

    @Test
    void localSubmissionsRefuseServerSettingsAndMissingScriptsWithoutARun() throws Exception {
        script("train.sh", "echo never\n");
        Experiment experiment = labbook.experiment("submit-refused");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.sh")
                .image("python:3.12").build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("environment:");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("nope.sh")
                .build())).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("script:");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source)
                .script("../train.sh").build())).isInstanceOf(IllegalArgumentException.class);
        assertThat(experiment.runs()).isEmpty();
    }

    private static String runnerLog(SubmittedRun run) throws Exception {
        return run.runnerLog().isPresent() ? Files.readString(run.runnerLog().get()) : "";
    }
}
