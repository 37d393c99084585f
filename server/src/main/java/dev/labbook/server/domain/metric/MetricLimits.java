package dev.labbook.server.domain.metric;

/** Documented limits of metric ingest and tables. */
public final class MetricLimits {
    /** Points in one MetricBatch; larger batches are refused (INVALID_ARGUMENT). */
    public static final int MAX_POINTS_PER_BATCH = 100_000;
    /** Distinct keys in one MetricBatch. */
    public static final int MAX_KEYS_PER_BATCH = 1_000;
    /** Points stored in one chunk row; larger groups are split. */
    public static final int MAX_POINTS_PER_CHUNK = 10_000;
    /** Chunks below this size are merged by compaction. */
    public static final int SMALL_CHUNK_POINTS = 1_000;
    /** Rows in one AppendTableRows call. */
    public static final int MAX_ROWS_PER_APPEND = 10_000;
    /** Columns of one table. */
    public static final int MAX_TABLE_COLUMNS = 1_000;
    /** String cells, in UTF-8 bytes. */
    public static final int MAX_TABLE_STRING_BYTES = 64 * 1024;
    /** Points in one GetMetricHistory response message. */
    public static final int HISTORY_PAGE_POINTS = 10_000;
    /** Upper bound of max_points for downsampled reads. */
    public static final int MAX_DOWNSAMPLED_POINTS = 100_000;

    private MetricLimits() {
    }
}
