package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git commit and dirty flag that {@code labbook run} records, with real (and fake) git executables. */
class GitInfoTest {
    @TempDir
    Path dir;

    private Path fakeGit(String body) throws Exception {
        Path git = dir.resolve("fake-git");
        Files.writeString(git, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(git, PosixFilePermissions.fromString("rwxr-xr-x"));
        return git;
    }

    @Test
    void aHungGitIsGivenUpAfterItsTimeout() throws Exception {
        // A git that prints part of its answer and then hangs (a lock, a stuck network file system)
        // with its stdout still open, as does the child that inherited it.
        Path git = fakeGit("echo 0123abcd; sleep 20; echo late");
        long start = System.nanoTime();
        Optional<GitInfo> info = GitInfo.of(dir, git.toString(), Duration.ofMillis(500));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        assertThat(info).isEmpty();
    }

    @Test
    void readsTheCommitAndTheDirtyFlag() throws Exception {
        Path git = fakeGit("""
                case "$1" in
                  rev-parse) echo 0123abcd ;;
                  status) echo ' M train.py' ;;
                esac""");
        assertThat(GitInfo.of(dir, git.toString(), Duration.ofSeconds(10))).contains(new GitInfo("0123abcd", true));
    }

    @Test
    void outsideAWorkTreeOrWithoutGitThereIsNone() throws Exception {
        assertThat(GitInfo.of(dir)).isEmpty();
        assertThat(GitInfo.of(dir, dir.resolve("no-such-git").toString(), Duration.ofSeconds(10))).isEmpty();
    }
}
