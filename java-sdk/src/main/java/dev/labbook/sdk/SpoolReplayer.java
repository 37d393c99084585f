package dev.labbook.sdk;

import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Sends the metric batches spooled by writers that are gone (closed, or their process ended),
 * each writer's in sequence order over one stream, and deletes them once the server confirmed
 * them. The server skips batches it already has, so replaying twice (or racing another replayer)
 * stores nothing twice. Writers whose run was deleted or purged are moved to
 * {@code <spool>/.rejected/} instead of being retried forever.
 */
public final class SpoolReplayer {
    private static final Logger LOG = Logger.getLogger(SpoolReplayer.class.getName());

    /** What a replay did. */
    public record Result(int writers, long batches, long points, int failedWriters) {
    }

    private SpoolReplayer() {
    }

    public static Result replay(LabbookClient client, Path spoolRoot) {
        int writers = 0;
        int failed = 0;
        long batches = 0;
        long points = 0;
        if (!Files.isDirectory(spoolRoot)) {
            return new Result(0, 0, 0, 0);
        }
        replay:
        for (Path runDir : list(spoolRoot)) {
            if (!Files.isDirectory(runDir) || runDir.getFileName().toString().startsWith(".")) {
                continue;
            }
            for (Path writerDir : list(runDir)) {
                if (!Files.isDirectory(writerDir)) {
                    continue;
                }
                try {
                    FileLock lock = Spool.tryLock(writerDir);
                    if (lock == null) {
                        continue; // a live writer: it sends its own spool
                    }
                    boolean replayed = false;
                    try {
                        List<Path> files = Spool.batches(writerDir);
                        if (!files.isEmpty()) {
                            replayed = true;
                            LogMetricsResponse r = client.metrics().send(() -> lazy(files));
                            writers++;
                            batches += r.getAcceptedBatches() + r.getSkippedDuplicateBatches();
                            points += r.getAcceptedPoints();
                            for (Path f : files) {
                                Files.deleteIfExists(f);
                            }
                        }
                    } finally {
                        lock.release();
                        lock.channel().close();
                    }
                    if (replayed) {
                        // a directory without batches may be a live writer's about to be locked: leave it
                        Spool.removeIfEmpty(writerDir);
                    }
                } catch (NotFoundException | FailedPreconditionException | InvalidArgumentException e) {
                    failed++;
                    reject(spoolRoot, writerDir, e);
                } catch (LabbookException e) {
                    failed++;
                    if (Errors.isAuthFailure(e)) {
                        // every other writer would be refused the same way: one warning, files kept
                        client.authTrouble().refused(e);
                        break replay;
                    }
                    LOG.warning(() -> "labbook: cannot replay spooled metrics in " + writerDir + " yet: "
                            + e.getMessage());
                } catch (IOException | UncheckedIOException e) {
                    failed++;
                    LOG.warning(() -> "labbook: cannot replay spooled metrics in " + writerDir + " yet: "
                            + e.getMessage());
                }
            }
        }
        return new Result(writers, batches, points, failed);
    }

    private static Iterator<MetricBatch> lazy(List<Path> files) {
        Iterator<Path> it = files.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public MetricBatch next() {
                try {
                    return Spool.read(it.next());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static void reject(Path root, Path writerDir, RuntimeException e) {
        Path target = root.resolve(".rejected").resolve(writerDir.getParent().getFileName())
                .resolve(writerDir.getFileName());
        LOG.warning(() -> "labbook: server refuses spooled metrics in " + writerDir + " (" + e.getMessage()
                + "); moving them to " + target);
        try {
            Files.createDirectories(target.getParent());
            Files.move(writerDir, target, StandardCopyOption.REPLACE_EXISTING);
            Spool.removeIfEmpty(writerDir);
        } catch (IOException io) {
            LOG.warning(() -> "labbook: cannot move " + writerDir + ": " + io.getMessage());
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
