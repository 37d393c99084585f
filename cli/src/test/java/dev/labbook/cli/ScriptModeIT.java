package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogStream;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code labbook run} with a script that uses an SDK in script mode (the Java SDK's
 * {@code Run.getContext()}, in a child JVM): the script logs into the CLI's run, and the CLI, which
 * owns the run, sets its final status.
 */
class ScriptModeIT extends CliAgainstServer {
    private Cli.Result runJavaScript(String experiment, String... scriptArgs) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--target", target, "-e", experiment,
                "--param", "lr=0.1", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), JavaTrainingScript.class.getName()));
        args.addAll(List.of(scriptArgs));
        return cli.run(args.toArray(String[]::new));
    }

    @Test
    void theSdkAttachesToTheCliRunAndTheCliSetsTheStatus() throws Exception {
        Cli.Result result = runJavaScript("java-script");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        RunInfo run = onlyRun("java-script");
        assertThat(result.stdout()).contains("attached to " + run.id());
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.params()).containsEntry("lr", 0.1).containsEntry("batch_size", 64L);
        assertThat(client.metrics().history(run.id(), "loss").size()).isEqualTo(100);
        List<LogLine> log = client.logs().read(run.id(), 0, 0, null);
        assertThat(log).anyMatch(l -> l.stream() == LogStream.USER && l.text().equals("from the SDK"));
        assertThat(log).anyMatch(l -> l.stream() == LogStream.STDOUT && l.text().equals("attached to " + run.id()));
    }

    @Test
    void anExceptionInTheScriptFailsTheRun() throws Exception {
        Cli.Result result = runJavaScript("java-diverge", "diverge");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        RunInfo run = onlyRun("java-diverge");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(client.logs().read(run.id(), 0, 0, null)).extracting(LogLine::text)
                .anyMatch(t -> t.contains("IllegalStateException: training diverged"));
        assertThat(client.metrics().history(run.id(), "loss").size()).isEqualTo(100);
    }
}
