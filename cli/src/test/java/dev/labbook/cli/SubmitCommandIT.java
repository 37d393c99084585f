package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** {@code labbook submit} end to end: the CLI, the detached local runner and the script as processes of their own. */
class SubmitCommandIT extends CliAgainstServer {
    private void script(String name, String body) throws Exception {
        Path file = work.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void submitLocalWaitFollowsTheLogAndExitsByTheFinalStatus() throws Exception {
        script("job.sh", "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n[ \"$1\" = fail ] && exit 2\nexit 0\n");

        Cli.Result ok = cli.run("submit", "--target", target, "-e", "cli-submit", "--name", "one", "--tag", "team=x",
                "--param", "lr=0.5", "--env", "A=B", "--wait", "--", "job.sh", "a b", "--flag", "");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.stdout()).isEqualTo("<a b>\n<--flag>\n<>\n");
        assertThat(ok.stderr()).contains("labbook: submitted run ", "(cli-submit/one) to local",
                "labbook: run ", " COMPLETED");
        RunInfo run = onlyRun("cli-submit");
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.tags()).containsEntry("team", "x").containsEntry("labbook.compute_target", "local");
        assertThat(run.params()).containsEntry("lr", 0.5);
        assertThat(run.source().args()).containsExactly("a b", "--flag", "");

        Cli.Result failed = cli.run("submit", "--target", target, "-e", "cli-submit-fail", "--stream", "--",
                "job.sh", "fail");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stderr()).contains(" FAILED");
        assertThat(onlyRun("cli-submit-fail").status()).isEqualTo(RunStatus.FAILED);

        // Without --wait: back at once; the detached runner finishes the run after the CLI exited.
        Cli.Result queued = cli.run("submit", "--target", target, "-e", "cli-submit-json", "--json", "--", "job.sh", "x");
        assertThat(queued.exitCode()).as(queued.toString()).isZero();
        String id = onlyRun("cli-submit-json").id();
        assertThat(queued.stdout()).contains(id, "\"computeTarget\"", "\"local\"");
        long until = System.nanoTime() + 30_000_000_000L;
        while (!client.runs().get(id).status().isFinal() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(client.runs().get(id).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(logTexts(id)).containsExactly("<x>");
    }

    @Test
    void anUnknownComputeTargetIsAnErrorAndLeavesNoRun() throws Exception {
        script("job.sh", "echo never\n");
        Cli.Result result = cli.run("submit", "--target", target, "-e", "cli-unknown", "--compute-target", "gpu",
                "--", "job.sh");
        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        assertThat(result.stderr()).contains("no compute target \"gpu\"", "local (this machine)");
        assertThat(client.experiments().getOrCreate("default", "cli-unknown").id()).isNotEmpty();
        assertThat(client.runs().list(client.experiments().getOrCreate("default", "cli-unknown").id(), 10, "")
                .items()).isEmpty();
    }
}
