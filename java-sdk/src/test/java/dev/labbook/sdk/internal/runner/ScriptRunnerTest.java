package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child process (python3) through {@link ScriptRunner}: tee, capture order, exit codes. */
class ScriptRunnerTest {
    @TempDir
    Path dir;

    private RunSignals signals;

    @BeforeEach
    void installSignals() {
        signals = RunSignals.install();
    }

    @AfterEach
    void restoreSignals() {
        signals.close();
    }

    @Test
    void teesBothStreamsInOrderAndReturnsTheExitCode() throws Exception {
        Path script = dir.resolve("s.py");
        Files.writeString(script, """
                import sys, os, time
                # two pipes: order across them is arrival order, so switches are spaced out
                print("out 1", flush=True)
                time.sleep(0.1)
                print("err 1", file=sys.stderr, flush=True)
                time.sleep(0.1)
                print("out 2", flush=True)
                sys.stdout.write("no newline")
                sys.stdout.flush()
                sys.stdout.buffer.write(b"\\xff\\xfe raw\\n")
                print(os.environ["MY_VAR"])
                sys.exit(3)
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<CapturedLine> lines = new CopyOnWriteArrayList<>();
        ScriptRunner.Outcome outcome = ScriptRunner.run(List.of("python3", "-u", script.toString()), dir,
                Map.of("MY_VAR", "hello"), out, err, lines::add, signals);

        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.canceled()).isFalse();
        assertThat(out.toByteArray()).containsSequence("no newline\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(new String(err.toByteArray(), StandardCharsets.UTF_8)).isEqualTo("err 1\n");
        assertThat(lines).extracting(CapturedLine::text)
                .containsExactly("out 1", "err 1", "out 2", "no newline\uFFFD\uFFFD raw", "hello");
        assertThat(lines.get(1).stream()).isEqualTo(CapturedLine.OutputStream.STDERR);
    }

    @Test
    void aPartialLineIsStoredWhileTheScriptIsStillRunning() throws Exception {
        List<CapturedLine> lines = new CopyOnWriteArrayList<>();
        List<Integer> seenBeforeDone = new CopyOnWriteArrayList<>();
        Path script = dir.resolve("p.py");
        Files.writeString(script, """
                import sys, time
                sys.stdout.write("Epoch 1 ... ")
                sys.stdout.flush()
                time.sleep(1.5)
                print("done")
                """);
        ScriptRunner.run(List.of("python3", script.toString()), dir, Map.of(), new ByteArrayOutputStream(),
                new ByteArrayOutputStream(), line -> {
                    if (line.text().equals("done")) {
                        seenBeforeDone.add(lines.size());
                    }
                    lines.add(line);
                }, signals);
        assertThat(lines).extracting(CapturedLine::text).containsExactly("Epoch 1 ... ", "done");
        assertThat(lines.get(1).timestampMs() - lines.get(0).timestampMs()).isGreaterThan(800);
        assertThat(seenBeforeDone).containsExactly(1);
    }

    @Test
    void aSignalKilledScriptReportsShellStyleExitCode() throws Exception {
        ScriptRunner.Outcome outcome = ScriptRunner.run(List.of("sh", "-c", "kill -TERM $$"), dir, Map.of(),
                new ByteArrayOutputStream(), new ByteArrayOutputStream(), l -> { }, signals);
        assertThat(outcome.exitCode()).isEqualTo(128 + 15);
    }
}
