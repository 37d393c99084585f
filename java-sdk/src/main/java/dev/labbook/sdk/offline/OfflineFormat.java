package dev.labbook.sdk.offline;

/** Names of the offline run directory format (docs/offline-format.md), shared with the Python SDK. */
public final class OfflineFormat {
    public static final String FORMAT = "labbook-offline/1";
    public static final String RUN_JSON = "run.json";
    public static final String PARAMS = "params.jsonl";
    public static final String METRICS = "metrics.jsonl";
    public static final String TABLES = "tables.jsonl";
    public static final String LOGS = "logs.jsonl";
    public static final String ARTIFACTS = "artifacts.jsonl";
    public static final String FILES = "files";
    public static final String SYNC_JSON = ".sync.json";
    /** Tag that ties a synced server run to its offline directory. */
    public static final String OFFLINE_ID_TAG = "labbook.offline_id";
    /** Points per metrics.jsonl line. */
    public static final int MAX_POINTS_PER_LINE = 10_000;

    private OfflineFormat() {
    }
}
