package dev.labbook.server.store;

import dev.labbook.server.domain.log.LogLevel;
import dev.labbook.server.domain.log.LogLine;
import dev.labbook.server.domain.log.RunLogState;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Text log lines of runs, within the caller's transaction. */
public interface LogRepository {
    /**
     * The run's status, deletion flags and log end; empty when the run does not exist. With
     * {@code lockForAppend} the run row is share-locked until the transaction ends, so that it
     * cannot be purged while lines are added.
     */
    Optional<RunLogState> runState(UUID runId, boolean lockForAppend);

    /**
     * Reserves {@code count} consecutive offsets and returns the first. The run's log counter
     * stays locked until the transaction ends: concurrent appenders of one run are serialised,
     * so offsets are dense and commit in increasing order.
     */
    long reserveOffsets(UUID runId, int count);

    /** Inserts lines whose offsets were reserved in this transaction. */
    void insertLines(UUID runId, List<LogLine> lines);

    /**
     * Lines with offsets in [fromOffset, toOffset) at {@code minLevel} or above (null = all), in
     * offset order: at most {@code maxLines}, and no more lines once {@code maxBytes} of text are
     * reached (the first line is returned whatever its size).
     */
    List<LogLine> lines(UUID runId, long fromOffset, long toOffset, LogLevel minLevel, int maxLines, int maxBytes);
}
