package dev.labbook.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.MetricBatch;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.SpoolReplayer;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's writer lock against replayers of the same and other processes. */
class SpoolTest {
    @TempDir
    Path tmp;

    private static MetricBatch batch(long sequence) {
        return MetricBatch.newBuilder().setRunId("run").setWriterId("w").setSequence(sequence).addKeys("x")
                .addKeyIndex(0).addStep(sequence).addTimestampMs(1).addValue(1).build();
    }

    @Test
    void aWriterWaitsForAReplayerOfThisJvmInsteadOfThrowing() throws Exception {
        Spool spool = Spool.forWriter(tmp, "run", "w");
        Files.createDirectories(spool.dir());
        FileLock replayer = Spool.tryLock(spool.dir()); // a replayer looking at the new directory
        assertThat(replayer).isNotNull();
        CompletableFuture<Path> written = CompletableFuture.supplyAsync(() -> {
            try {
                return spool.write(batch(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(written).isNotDone();
        replayer.release();
        replayer.channel().close();
        Path file = written.get(10, TimeUnit.SECONDS);
        assertThat(Spool.read(file)).isEqualTo(batch(1));
        assertThat(Spool.tryLock(spool.dir())).as("the writer holds the lock now").isNull();
        spool.release();
    }

    @Test
    void aReplayerLeavesAWriterDirectoryWithoutBatchesAlone() throws Exception {
        Spool spool = Spool.forWriter(tmp, "run", "w");
        Files.createDirectories(spool.dir()); // what a writer does just before taking its lock
        try (LabbookClient unused = LabbookClient.connect("127.0.0.1:1")) {
            SpoolReplayer.Result r = SpoolReplayer.replay(unused, tmp);
            assertThat(r.batches()).isZero();
        }
        assertThat(spool.dir()).isDirectory();
        Path file = spool.write(batch(1));
        assertThat(Spool.tryLock(spool.dir())).as("writer.lock is the file the writer locked").isNull();
        assertThat(file).exists();
        spool.release();
    }
}
