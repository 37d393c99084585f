package dev.labbook.sdk.offline;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.sdk.Artifact;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.FailedPreconditionException;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogStream;
import dev.labbook.sdk.NewRun;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.OpenedRun;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.SourceInfo;
import dev.labbook.sdk.UploadOptions;
import dev.labbook.sdk.internal.LogText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Uploads offline run directories (docs/offline-format.md) to a server, idempotently: syncing
 * the same directory twice, or again after an interrupted sync, stores every param, point, row,
 * log line and file once.
 *
 * <ul>
 *   <li>the run is opened (or resumed) by project + experiment + name and tagged
 *       {@code labbook.offline_id=<local_id>}; a same-named run with another offline id is
 *       refused;</li>
 *   <li>metrics.jsonl line n is sent as sequence n of writer {@code offline-<local_id>}, so the
 *       server skips lines it already has;</li>
 *   <li>tables and logs: only the rows / lines after those the server already holds are appended;</li>
 *   <li>files: skipped when the server holds the path with the same SHA-256; an interrupted upload
 *       resumes under an upload id derived from local_id, path and sha256;</li>
 *   <li>last, the final status with its end time when run.json says the run finished.</li>
 * </ul>
 *
 * The {@code labbook sync DIR} command wraps this class.
 */
public final class OfflineSync {
    /** Metric lines sent per LogMetrics stream. */
    private static final int LINES_PER_STREAM = 100;

    /** What is being done to which run; totals are -1 while unknown. */
    public record Progress(Path runDir, String phase, long itemsDone, long itemsTotal, long bytesDone,
            long bytesTotal) {
    }

    /** Receives progress from the syncing thread (for a progress bar). */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = p -> { };

        void progress(Progress progress);
    }

    /** What one run directory's sync did; the counts are what was sent this time (0 on a repeat). */
    public record RunResult(Path dir, String runId, String runName, boolean createdRun, int params,
            long metricLinesSent, long metricPointsStored, long tableRowsAppended, long logLinesAppended,
            int filesUploaded, int filesSkipped, int referencesCreated, RunStatus status) {

        public String summary() {
            return String.format("%s -> run %s (%s%s): %d params, %d metric points in %d batches, %d table rows, "
                    + "%d log lines, %d files uploaded (%d already there), %d references, status %s",
                    dir.getFileName(), runId, runName, createdRun ? ", new" : "", params, metricPointsStored,
                    metricLinesSent, tableRowsAppended, logLinesAppended, filesUploaded, filesSkipped,
                    referencesCreated, status);
        }
    }

    /** A run directory that could not be synced (the others still are). */
    public record Failure(Path dir, String message) {
    }

    /** All runs of one sync. */
    public record Result(List<RunResult> synced, List<Failure> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final LabbookClient client;
    private final String target;

    public OfflineSync(LabbookClient client) {
        this.client = client;
        this.target = client.target().toString();
    }

    /** Syncs one run directory (one with a run.json) or every run directory below a root. */
    public Result sync(Path dirOrRoot, ProgressListener listener) throws IOException {
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        List<Path> dirs = runDirs(dirOrRoot);
        List<RunResult> ok = new ArrayList<>();
        List<Failure> failed = new ArrayList<>();
        for (Path dir : dirs) {
            try {
                ok.add(syncRun(dir, progress));
            } catch (IOException | RuntimeException e) {
                // one malformed directory (bad JSON, a missing key, a null cell) must not stop the others
                failed.add(new Failure(dir, describe(e)));
            }
        }
        return new Result(List.copyOf(ok), List.copyOf(failed));
    }

    /** The run directories a path names, in name (= start time) order. */
    public static List<Path> runDirs(Path dirOrRoot) throws IOException {
        if (OfflineRunReader.isRunDir(dirOrRoot)) {
            return List.of(dirOrRoot);
        }
        if (!Files.isDirectory(dirOrRoot)) {
            throw new IOException(dirOrRoot + " is not a directory");
        }
        try (Stream<Path> s = Files.list(dirOrRoot)) {
            return s.filter(OfflineRunReader::isRunDir).sorted().toList();
        }
    }

    /** Syncs one run directory. */
    public RunResult syncRun(Path dir, ProgressListener progress) throws IOException {
        OfflineRunReader reader = new OfflineRunReader(dir);
        JsonObject run = reader.runJson();
        String localId = run.get("local_id").getAsString();
        String project = str(run, "project", "default");
        String experiment = str(run, "experiment", "default");
        String name = str(run, "name", "offline-" + localId.substring(0, Math.min(8, localId.length())));

        progress.progress(new Progress(dir, "run", 0, 1, 0, -1));
        RunInfo existing = findExisting(project, experiment, name, localId);
        Map<String, String> tags = new TreeMap<>();
        if (run.has("tags") && run.get("tags").isJsonObject()) {
            run.getAsJsonObject("tags").entrySet().forEach(e -> tags.put(e.getKey(), e.getValue().getAsString()));
        }
        tags.put(OfflineFormat.OFFLINE_ID_TAG, localId);
        String runId;
        if (existing != null) {
            // not CreateRun again: resuming would add RUNNING → final to the history on every sync
            runId = existing.id();
        } else {
            // the run's real start (run.json), not the time of the sync; a resume keeps the server's
            long start = run.has("start_time_ms") ? run.get("start_time_ms").getAsLong() : 0;
            OpenedRun opened = client.runs().open(NewRun.in(experiment).withProject(project).withName(name)
                    .withSource(source(run)).withTags(tags).withDescription(str(run, "description", ""))
                    .withStartTimeMs(start > 0 && start <= System.currentTimeMillis() ? start : null));
            RunInfo info = opened.run();
            runId = info.id();
            if (!localId.equals(info.tags().get(OfflineFormat.OFFLINE_ID_TAG))) {
                throw new FailedPreconditionException("run '" + name + "' in experiment '" + experiment
                        + "' belongs to another offline run (" + OfflineFormat.OFFLINE_ID_TAG + "="
                        + info.tags().get(OfflineFormat.OFFLINE_ID_TAG) + "); rename one of them", null);
            }
        }
        // description and tags hold their latest values in run.json
        client.runs().setDescription(runId, str(run, "description", ""));
        client.runs().setTags(runId, tags, List.of());

        int params = syncParams(reader, runId);
        long[] metrics = syncMetrics(reader, runId, localId, progress);
        long rows = syncTables(reader, runId, progress);
        long lines = syncLogs(reader, runId, progress);
        int[] files = syncArtifacts(reader, runId, localId, progress);

        RunStatus status = RunStatus.valueOf(str(run, "status", "RUNNING"));
        RunInfo now = client.runs().get(runId);
        if (now.status() != status && now.status().isFinal()) {
            // reopened offline after an earlier sync finished it: mirror that (RUNNING again)
            // before the new final status, which the server only accepts from RUNNING
            now = client.runs().resume(runId);
        }
        if (status.isFinal() && now.status() != status) {
            long end = run.has("end_time_ms") ? run.get("end_time_ms").getAsLong() : 0;
            if (status == RunStatus.CANCELED) {
                if (end > 0) {
                    client.runs().cancel(runId, Math.max(end, now.startTimeMs()));
                } else {
                    client.runs().cancel(runId);
                }
            } else if (end > 0) {
                // the run.json end time; an end time may not precede the server run's start, which
                // is the time of the first sync for runs synced before OpenRun took start_time_ms
                client.runs().finish(runId, status, Math.max(end, now.startTimeMs()));
            } else {
                client.runs().finish(runId, status);
            }
        }
        writeSyncJson(dir, runId);
        progress.progress(new Progress(dir, "done", 1, 1, 0, -1));
        return new RunResult(dir, runId, name, existing == null, params, metrics[0], metrics[1], rows,
                lines, files[0], files[1], files[2], status);
    }

    /** The server run this directory was synced to before, or null; refuses someone else's run. */
    private RunInfo findExisting(String project, String experiment, String name, String localId) {
        List<RunInfo> same;
        try {
            same = client.runs().searchAll(RunSearch.inProject(project)
                    .filter("experiment = " + quote(experiment) + " AND name = " + quote(name)).includeDeleted(true));
        } catch (NotFoundException e) {
            return null; // no such experiment yet
        }
        for (RunInfo r : same) {
            String other = r.tags().get(OfflineFormat.OFFLINE_ID_TAG);
            if (!localId.equals(other)) {
                throw new FailedPreconditionException("run '" + name + "' in experiment '" + experiment
                        + "' exists and is not this offline run (" + OfflineFormat.OFFLINE_ID_TAG + "="
                        + (other == null ? "none" : other) + "); rename the offline run in run.json", null);
            }
            if (r.deleted()) {
                throw new FailedPreconditionException("run '" + name + "' (" + r.id()
                        + ") was synced before and has been deleted; restore it to sync again", null);
            }
        }
        return same.isEmpty() ? null : same.get(0);
    }

    private int syncParams(OfflineRunReader reader, String runId) throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        for (JsonObject p : reader.lines(OfflineFormat.PARAMS)) {
            String key = p.get("key").getAsString();
            params.remove(key); // a later line wins
            if (p.has("int")) {
                params.put(key, p.get("int").getAsLong());
            } else if (p.has("double")) {
                params.put(key, Json.toDouble(p.get("double")));
            } else if (p.has("bool")) {
                params.put(key, p.get("bool").getAsBoolean());
            } else if (p.has("string")) {
                params.put(key, p.get("string").getAsString());
            } else {
                throw new IOException(reader.dir() + ": param " + key + " has no value");
            }
        }
        List<String> keys = new ArrayList<>(params.keySet());
        for (int from = 0; from < keys.size(); from += 1000) {
            Map<String, Object> chunk = new LinkedHashMap<>();
            keys.subList(from, Math.min(keys.size(), from + 1000)).forEach(k -> chunk.put(k, params.get(k)));
            client.runs().logParams(runId, chunk);
        }
        return params.size();
    }

    private long[] syncMetrics(OfflineRunReader reader, String runId, String localId, ProgressListener progress)
            throws IOException {
        List<JsonObject> lines = reader.lines(OfflineFormat.METRICS);
        String writer = "offline-" + localId;
        long last = client.metrics().writerState(runId, writer);
        long sent = 0;
        long stored = 0;
        progress.progress(new Progress(reader.dir(), "metrics", Math.min(last, lines.size()), lines.size(), 0, -1));
        for (int from = (int) Math.min(last, lines.size()); from < lines.size(); from += LINES_PER_STREAM) {
            int to = Math.min(lines.size(), from + LINES_PER_STREAM);
            List<MetricBatch> batches = new ArrayList<>();
            for (int i = from; i < to; i++) {
                batches.add(batch(lines.get(i), runId, writer, i + 1));
            }
            LogMetricsResponse r = client.metrics().send(batches);
            sent += r.getAcceptedBatches();
            stored += r.getAcceptedPoints();
            progress.progress(new Progress(reader.dir(), "metrics", to, lines.size(), 0, -1));
        }
        return new long[] {sent, stored};
    }

    private static MetricBatch batch(JsonObject line, String runId, String writer, long sequence) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId(writer).setSequence(sequence);
        line.getAsJsonArray("keys").forEach(k -> b.addKeys(k.getAsString()));
        line.getAsJsonArray("key_index").forEach(k -> b.addKeyIndex(k.getAsInt()));
        line.getAsJsonArray("step").forEach(k -> b.addStep(k.getAsLong()));
        line.getAsJsonArray("timestamp_ms").forEach(k -> b.addTimestampMs(k.getAsLong()));
        line.getAsJsonArray("value").forEach(k -> b.addValue(Json.toDouble(k)));
        return b.build();
    }

    private long syncTables(OfflineRunReader reader, String runId, ProgressListener progress) throws IOException {
        Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
        for (JsonObject line : reader.lines(OfflineFormat.TABLES)) {
            List<Map<String, Object>> rows = tables.computeIfAbsent(line.get("table").getAsString(),
                    t -> new ArrayList<>());
            for (JsonElement r : line.getAsJsonArray("rows")) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> cell : r.getAsJsonObject().entrySet()) {
                    JsonElement v = cell.getValue();
                    row.put(cell.getKey(), Json.isNumberLike(v) ? (Object) Json.toDouble(v) : v.getAsString());
                }
                rows.add(row);
            }
        }
        long total = tables.values().stream().mapToLong(List::size).sum();
        long done = 0;
        long appended = 0;
        for (Map.Entry<String, List<Map<String, Object>>> t : tables.entrySet()) {
            long have = client.tables().rowCount(runId, t.getKey());
            List<Map<String, Object>> rows = t.getValue();
            if (have < rows.size()) {
                for (int from = (int) have; from < rows.size(); from += 10_000) {
                    int to = Math.min(rows.size(), from + 10_000);
                    client.tables().append(runId, t.getKey(), rows.subList(from, to));
                    appended += to - from;
                    progress.progress(new Progress(reader.dir(), "tables", done + to, total, 0, -1));
                }
            }
            done += rows.size();
            progress.progress(new Progress(reader.dir(), "tables", done, total, 0, -1));
        }
        return appended;
    }

    private long syncLogs(OfflineRunReader reader, String runId, ProgressListener progress) throws IOException {
        List<JsonObject> lines = reader.lines(OfflineFormat.LOGS);
        if (lines.isEmpty()) {
            return 0;
        }
        long have = client.logs().count(runId);
        progress.progress(new Progress(reader.dir(), "logs", Math.min(have, lines.size()), lines.size(), 0, -1));
        long appended = 0;
        for (int from = (int) Math.min(have, lines.size()); from < lines.size(); from += 5000) {
            int to = Math.min(lines.size(), from + 5000);
            List<LogLine> chunk = new ArrayList<>();
            for (JsonObject l : lines.subList(from, to)) {
                chunk.add(new LogLine(-1, l.get("timestamp_ms").getAsLong(), level(str(l, "level", "INFO")),
                        // one stored line per offline line (resuming counts them), cut to the server's limit
                        LogStream.valueOf(str(l, "stream", "USER")), LogText.truncate(str(l, "text", ""))));
            }
            appended += client.logs().append(runId, chunk);
            progress.progress(new Progress(reader.dir(), "logs", to, lines.size(), 0, -1));
        }
        return appended;
    }

    private static String describe(Exception e) {
        if (e instanceof IOException || e instanceof LabbookException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            if (e.getMessage() != null && !(e instanceof com.google.gson.JsonParseException)) {
                return e.getMessage();
            }
        }
        return "malformed offline run: " + e;
    }

    private static LogLevel level(String level) {
        return level.equals("CRITICAL") ? LogLevel.ERROR : LogLevel.valueOf(level);
    }

    private int[] syncArtifacts(OfflineRunReader reader, String runId, String localId, ProgressListener progress)
            throws IOException {
        Map<String, JsonObject> latest = new LinkedHashMap<>();
        for (JsonObject a : reader.lines(OfflineFormat.ARTIFACTS)) {
            String path = a.get("path").getAsString();
            latest.remove(path); // a later line wins
            latest.put(path, a);
        }
        long totalBytes = 0;
        for (JsonObject a : latest.values()) {
            if (str(a, "kind", "file").equals("file") && a.has("size_bytes")) {
                totalBytes += a.get("size_bytes").getAsLong();
            }
        }
        int uploaded = 0;
        int skipped = 0;
        int references = 0;
        long doneBytes = 0;
        int item = 0;
        for (JsonObject a : latest.values()) {
            item++;
            String path = a.get("path").getAsString();
            Direction direction = Direction.valueOf(str(a, "direction", "OUTPUT"));
            Artifact existing = existing(runId, path);
            if (str(a, "kind", "file").equals("reference")) {
                String uri = a.get("uri").getAsString();
                if (existing == null || !existing.reference() || !existing.uri().equals(uri)) {
                    client.artifacts().reference(runId, path, uri, direction);
                    references++;
                } else {
                    skipped++;
                }
                continue;
            }
            String sha = str(a, "sha256", "");
            long size = a.has("size_bytes") ? a.get("size_bytes").getAsLong() : 0;
            if (existing != null && !existing.reference() && existing.sha256().equals(sha)) {
                skipped++;
                doneBytes += size;
                progress.progress(new Progress(reader.dir(), "files", item, latest.size(), doneBytes, totalBytes));
                continue;
            }
            Path file = reader.dir().resolve(a.get("file").getAsString()).normalize();
            if (!file.startsWith(reader.dir())) {
                throw new IOException(reader.dir() + ": artifact file " + file + " lies outside the run directory");
            }
            UploadOptions opts = new UploadOptions(direction, str(a, "media_type", ""),
                    a.has("step") && !a.get("step").isJsonNull() ? a.get("step").getAsLong() : null,
                    UUID.nameUUIDFromBytes((localId + "\n" + path + "\n" + sha).getBytes(StandardCharsets.UTF_8))
                            .toString());
            long before = doneBytes;
            long total = totalBytes;
            int n = item;
            client.artifacts().upload(runId, file, path, opts,
                    (d, t) -> progress.progress(new Progress(reader.dir(), "files", n - 1, latest.size(), before + d,
                            total)));
            uploaded++;
            doneBytes += size;
            progress.progress(new Progress(reader.dir(), "files", item, latest.size(), doneBytes, totalBytes));
        }
        return new int[] {uploaded, skipped, references};
    }

    private Artifact existing(String runId, String path) {
        try {
            return client.artifacts().get(runId, path);
        } catch (NotFoundException e) {
            return null;
        }
    }

    private void writeSyncJson(Path dir, String runId) {
        JsonObject o = new JsonObject();
        o.addProperty("target", target);
        o.addProperty("run_id", runId);
        o.addProperty("synced_time_ms", System.currentTimeMillis());
        try {
            Files.writeString(dir.resolve(OfflineFormat.SYNC_JSON), Json.line(o) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // informational only; idempotency never depends on it
        }
    }

    private static SourceInfo source(JsonObject run) {
        if (!run.has("source") || !run.get("source").isJsonObject()) {
            return SourceInfo.EMPTY;
        }
        JsonObject s = run.getAsJsonObject("source");
        List<String> args = new ArrayList<>();
        if (s.has("args") && s.get("args").isJsonArray()) {
            JsonArray a = s.getAsJsonArray("args");
            a.forEach(x -> args.add(x.getAsString()));
        }
        return new SourceInfo(str(s, "script", ""), args, str(s, "git_commit", ""),
                s.has("git_dirty") && s.get("git_dirty").getAsBoolean(), str(s, "host", ""), str(s, "working_dir", ""));
    }

    private static String str(JsonObject o, String key, String fallback) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : fallback;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
