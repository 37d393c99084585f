package dev.labbook.sdk;

import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.SpooledCall;
import dev.labbook.sdk.internal.Errors;
import dev.labbook.sdk.internal.Spool;
import dev.labbook.sdk.internal.SpooledCalls;
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
 * Sends what writers that are gone (closed, or their process ended) left in the spool
 * ({@code labbook-spool/1}, see {@link Spool}), one writer directory at a time and only when its
 * {@code writer.lock} can be taken: first its metric batches ({@code .batch}, and the Python SDK's
 * older {@code .pb}) in sequence order over one stream, then its calls ({@code .call}: params,
 * tags, description, log lines, table rows, status) in the order they were made, one unary call
 * each; every file is deleted once the server confirmed it.
 *
 * <p>Nothing is stored twice: the server skips metric batches and appends (log lines, table rows)
 * whose writer id and sequence it already has, and params, tags and descriptions are idempotent.
 * A call the server refuses for good (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION such as
 * a status change the run cannot make, ALREADY_EXISTS) is dropped with a warning naming its
 * file, and the rest goes on; any other failure (the server unreachable, busy, refusing the
 * credentials or the role: PERMISSION_DENIED says who replays, not what) stops that writer's
 * replay with its files kept for the next replay. Writers whose metric batches are refused for good (run deleted or purged) are moved to
 * {@code <spool>/.rejected/} instead of being retried forever.
 */
public final class SpoolReplayer {
    private static final Logger LOG = Logger.getLogger(SpoolReplayer.class.getName());

    /**
     * What a replay did.
     *
     * @param writers       writer directories whose files were sent
     * @param batches       metric batches sent (stored now or already stored)
     * @param points        metric points stored now
     * @param failedWriters writer directories left (partly) unsent, or moved to {@code .rejected}
     * @param calls         spooled calls sent (stored, or already stored)
     * @param refusedCalls  spooled calls the server refused for good (dropped with a warning)
     */
    public record Result(int writers, long batches, long points, int failedWriters, long calls, long refusedCalls) {
        public Result(int writers, long batches, long points, int failedWriters) {
            this(writers, batches, points, failedWriters, 0, 0);
        }
    }

    private SpoolReplayer() {
    }

    /** Why a writer's call replay stopped with files kept. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(LabbookException cause) {
            super(cause.getMessage(), cause);
        }
    }

    public static Result replay(LabbookClient client, Path spoolRoot) {
        int writers = 0;
        int failed = 0;
        long batches = 0;
        long points = 0;
        long[] calls = new long[2]; // sent, refused
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
                            batches += r.getAcceptedBatches() + r.getSkippedDuplicateBatches();
                            points += r.getAcceptedPoints();
                            for (Path f : files) {
                                Files.deleteIfExists(f);
                            }
                        }
                        List<Path> callFiles = Spool.calls(writerDir);
                        if (!callFiles.isEmpty()) {
                            replayed = true;
                            replayCalls(client, callFiles, calls);
                        }
                        if (replayed) {
                            writers++;
                        }
                    } finally {
                        lock.release();
                        lock.channel().close();
                    }
                    if (replayed) {
                        // a directory without files may be a live writer's about to be locked: leave it
                        Spool.removeIfEmpty(writerDir);
                    }
                } catch (NotFoundException | FailedPreconditionException | InvalidArgumentException e) {
                    failed++;
                    reject(spoolRoot, writerDir, e);
                } catch (Stopped | LabbookException e) {
                    failed++;
                    Throwable cause = e instanceof Stopped ? e.getCause() : e;
                    if (Errors.isAuthFailure(cause)) {
                        // every other writer would be refused the same way: one warning, files kept
                        client.authTrouble().refused((RuntimeException) cause);
                        break replay;
                    }
                    LOG.warning(() -> "labbook: cannot replay the spool in " + writerDir + " yet: "
                            + cause.getMessage());
                } catch (IOException | UncheckedIOException e) {
                    failed++;
                    LOG.warning(() -> "labbook: cannot replay the spool in " + writerDir + " yet: "
                            + e.getMessage());
                }
            }
        }
        return new Result(writers, batches, points, failed, calls[0], calls[1]);
    }

    /**
     * The calls of one writer, in order: each deleted once the server stored it or refused it for
     * good; a transient failure stops there (throws {@link Stopped}) with the rest kept.
     */
    private static void replayCalls(LabbookClient client, List<Path> files, long[] counts) throws IOException {
        for (Path f : files) {
            SpooledCall call;
            try {
                call = Spool.readCall(f);
            } catch (IOException e) {
                LOG.warning(() -> "labbook: cannot read spooled call " + f + " (" + e.getMessage() + "); dropping it");
                Files.deleteIfExists(f);
                counts[1]++;
                continue;
            }
            try {
                SpooledCalls.send(client, call);
                counts[0]++;
            } catch (LabbookException e) {
                if (!isRefusal(e)) {
                    throw new Stopped(e);
                }
                LOG.warning(() -> "labbook: server refused spooled call " + f + " (" + SpooledCalls.describe(call)
                        + " of run " + SpooledCalls.runId(call) + "): " + e.getMessage() + "; dropping it");
                counts[1]++;
            }
            Files.deleteIfExists(f);
        }
    }

    /**
     * Codes that refuse a replayed call for good; anything else may pass (keep the file, try
     * later). Not PERMISSION_DENIED: a replayer whose token lacks the role must not delete the data.
     */
    static boolean isRefusal(LabbookException e) {
        return switch (e.code()) {
            case "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "ALREADY_EXISTS" -> true;
            default -> false;
        };
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
