package dev.labbook.server.domain;

import dev.labbook.server.store.WriterRepository;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The retry-safety of one append (a metric batch, a message of log lines, a call of table rows):
 * the writer that sends it and its sequence. A writer id names one ordered stream of appends to
 * one run; its sequences grow (gaps allowed). An append is stored together with its writer's new
 * last sequence in one transaction ({@link #claim}), and an append whose sequence is not newer
 * than the last is a duplicate: acknowledged, stored nothing. One last sequence per (run, writer
 * id) serves every kind. Without a writer id the sequence must be 0 and nothing is de-duplicated.
 */
public record AppendSequence(String writerId, long sequence) {
    public static final int MAX_WRITER_ID_LENGTH = 64;
    /** No writer: every append is stored. */
    public static final AppendSequence NONE = new AppendSequence("", 0);
    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_WRITER_ID_LENGTH + "}");

    /**
     * Checks a request's pair: an empty writer id needs sequence 0; a writer id must be 1-64 of
     * {@code [A-Za-z0-9._:-]} with sequence 1 or more. Errors name {@code writerField} or
     * {@code sequenceField}.
     */
    public static AppendSequence of(String writerField, String writerId, String sequenceField, long sequence) {
        if (writerId == null || writerId.isEmpty()) {
            if (sequence != 0) {
                throw new InvalidArgumentException(sequenceField, "must be 0 without a " + writerField + " (got "
                        + sequence + "); give a writer id to make appends retry-safe");
            }
            return NONE;
        }
        validWriterId(writerField, writerId);
        if (sequence < 1) {
            throw new InvalidArgumentException(sequenceField, "must be 1 or more with a " + writerField + ", got "
                    + sequence);
        }
        return new AppendSequence(writerId, sequence);
    }

    /** A writer id as GetWriterState takes it: required. */
    public static String validWriterId(String field, String writerId) {
        if (writerId == null || !WRITER_ID.matcher(writerId).matches()) {
            throw new InvalidArgumentException(field, "must be 1-" + MAX_WRITER_ID_LENGTH
                    + " characters of letters, digits, '.', '_', ':' or '-'");
        }
        return writerId;
    }

    public boolean hasWriter() {
        return !writerId.isEmpty();
    }

    /**
     * Inside the append's transaction: locks the writer's state and, when this sequence is newer
     * than its last one, records it and returns true (store the data in the same transaction);
     * returns false for a duplicate (store nothing). Always true without a writer.
     */
    public boolean claim(WriterRepository writers, UUID runId, Instant now) {
        if (!hasWriter()) {
            return true;
        }
        long last = writers.lockWriter(runId, writerId);
        if (sequence <= last) {
            return false;
        }
        writers.setLastSequence(runId, writerId, sequence, now);
        return true;
    }
}
