package dev.labbook.sdk;

import dev.labbook.sdk.internal.DiscardingSink;
import dev.labbook.sdk.internal.LogText;
import dev.labbook.sdk.internal.MetricRecorder;
import dev.labbook.sdk.internal.OfflineSink;
import dev.labbook.sdk.internal.OnlineSink;
import dev.labbook.sdk.internal.RunSink;
import dev.labbook.sdk.offline.OfflineRunWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One run of training code, for logging (Azure ML's {@code Run}, SageMaker's {@code Run}).
 *
 * <p><b>Never blocks training.</b> {@code logMetric} appends to an in-memory columnar buffer
 * (about 100 ns); a background thread sends full batches (and, every flush interval, partial
 * ones) to the server, exactly once, spooling them to disk during an outage. Every other logging
 * call is queued and sent in order by another background thread. No logging call throws because
 * the server is down; only bad arguments (an invalid metric key, unequal table columns) throw.
 * See docs/java-sdk.md for what is durable.
 *
 * <p><b>Finishing.</b> A run you opened is set COMPLETED by {@link #close()} unless
 * {@link #fail(Throwable)}, {@link #complete()} or {@link #cancel()} set a status first. Java's
 * try-with-resources does not tell {@code close()} whether the block threw, so either catch and
 * call {@code fail(e)}, or use {@link #execute(Body)} which does it for you:
 *
 * <pre>{@code
 * try (Labbook lb = Labbook.connect("localhost:7800");
 *      Run run = lb.experiment("mnist").startRun("lr-0.1")) {
 *     run.execute(r -> train(r));   // FAILED (and rethrown) if train throws, else COMPLETED
 * }
 * }</pre>
 *
 * <p>A run attached by id ({@code LABBOOK_RUN_ID}) belongs to whoever created it: closing it
 * flushes but sets no status. Thread-safe: any number of threads may log at once.
 */
public final class Run implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Run.class.getName());
    /** Lines of 64 KiB kept of a failure's stack trace (1 MiB; deep recursion makes longer ones). */
    private static final int MAX_TRACE_LINES = 16;

    /** Training code run by {@link #execute(Body)}. */
    @FunctionalInterface
    public interface Body {
        void run(Run run) throws Exception;
    }

    private final String id;
    private final String name;
    private final String experimentId;
    private final boolean owned;
    private final LabbookClient client;        // null when offline
    private final AutoCloseable ownedConnection; // closed with the run (script mode), or null
    private final OfflineRunWriter offline;    // null when online
    private final RunSink sink;
    private final MetricRecorder recorder;
    private final LabbookOptions options;
    private final Thread flusher;
    private volatile boolean finished;
    private volatile boolean closed;
    private volatile boolean warnedClosed;

    private Run(String id, String name, String experimentId, boolean owned, LabbookClient client,
            AutoCloseable ownedConnection, OfflineRunWriter offline, LabbookOptions options) {
        this.id = id;
        this.name = name;
        this.experimentId = experimentId;
        this.owned = owned;
        this.client = client;
        this.ownedConnection = ownedConnection;
        this.offline = offline;
        this.options = options;
        RunSink[] holder = new RunSink[1];
        int block = offline != null ? Math.min(options.batchPoints(), dev.labbook.sdk.offline.OfflineFormat.MAX_POINTS_PER_LINE)
                : options.batchPoints();
        this.recorder = new MetricRecorder(block, b -> holder[0].accept(b));
        holder[0] = offline != null ? new OfflineSink(offline, recorder::keyNames)
                : client != null ? new OnlineSink(client, id, recorder::keyNames, options) : new DiscardingSink();
        this.sink = holder[0];
        this.flusher = new Thread(this::flushLoop, "labbook-flush-" + (id != null ? id
                : offline != null ? offline.localId() : "discarded"));
        flusher.setDaemon(true);
        flusher.start();
    }

    static Run online(LabbookClient client, RunInfo info, boolean owned, boolean resumed, LabbookOptions options,
            AutoCloseable ownedConnection) {
        Run run = new Run(info.id(), info.name(), info.experimentId(), owned, client, ownedConnection, null, options);
        if (resumed || !owned) {
            // automatic steps continue after what the run already holds
            try {
                for (MetricSummary m : client.metrics().list(info.id())) {
                    run.recorder.seedStep(m.key(), m.lastStep());
                }
            } catch (LabbookException e) {
                LOG.fine(() -> "labbook: cannot read the metrics of resumed run " + info.id() + ": " + e.getMessage());
            }
        }
        return run;
    }

    /**
     * An offline run in {@code root} (docs/offline-format.md), uploaded later by
     * {@code labbook sync}. Never throws: when even the directory cannot be created, the run
     * discards what it is given and says so once.
     */
    public static Run offline(Path root, String project, String experiment, String runName) {
        return offline(root, project, experiment, runName, LabbookOptions.defaults());
    }

    static Run offline(Path root, String project, String experiment, String runName, LabbookOptions options) {
        return offline(root, project, experiment, runName, options, Resume.ALLOW);
    }

    /**
     * As above, with the resume policy applied to the offline runs in {@code root}: an
     * {@link AlreadyExistsException} (NEVER, the name exists there) or {@link NotFoundException}
     * (MUST, no run of that name to reopen) is thrown, not turned into a temporary run.
     */
    static Run offline(Path root, String project, String experiment, String runName, LabbookOptions options,
            Resume resume) {
        if (resume == Resume.MUST && (runName == null || runName.isEmpty())) {
            throw new InvalidArgumentException("name", "Resume.MUST needs the name of the run to resume", null);
        }
        OfflineRunWriter writer;
        try {
            writer = OfflineRunWriter.create(root, project, experiment, runName, "", Map.of(), SourceInfo.detect(),
                    resume);
        } catch (AlreadyExistsException | NotFoundException policy) {
            throw policy;
        } catch (IOException | RuntimeException e) {
            LOG.warning("labbook: cannot create an offline run in " + root + " (" + e + "); using a temporary directory");
            try {
                writer = OfflineRunWriter.create(Files.createTempDirectory("labbook-offline"), project, experiment,
                        runName, "", Map.of(), SourceInfo.EMPTY);
            } catch (IOException | RuntimeException again) {
                LOG.warning("labbook: cannot create a temporary offline run either (" + again
                        + "); what run " + runName + " logs is discarded");
                String name = runName == null || runName.isEmpty() ? "offline-discarded" : runName;
                return new Run(null, name, null, true, null, null, null, options);
            }
        }
        Run run = new Run(null, writer.name(), null, true, null, null, writer, options);
        if (writer.resumed()) {
            writer.lastSteps().forEach(run.recorder::seedStep); // automatic steps continue
        }
        return run;
    }

    /**
     * The run of this process in script mode (docs/script-mode.md), the same object on every call
     * until it is closed: attached to {@code LABBOOK_RUN_ID}, else opened or resumed by
     * {@code LABBOOK_RUN_NAME} in {@code LABBOOK_PROJECT}/{@code LABBOOK_EXPERIMENT} at
     * {@code LABBOOK_TRACKING_URI}; with no tracking URI an offline run in
     * {@code LABBOOK_OFFLINE_DIR} (with one warning). It is closed at JVM exit; a run this call
     * opened is FAILED if an uncaught exception ended a thread, else COMPLETED.
     */
    public static Run getContext() {
        return ScriptMode.context();
    }

    /** Script mode from the given variables (not cached, no exit hooks); see {@link #getContext()}. */
    public static Run getContext(Map<String, String> env) {
        return ScriptMode.resolve(env);
    }

    boolean owned() {
        return owned;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- identity

    /** Server run id; null for an offline run. */
    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Null for an offline run. */
    public String experimentId() {
        return experimentId;
    }

    /** True for every run without a server (also one whose offline directory could not be created). */
    public boolean isOffline() {
        return client == null;
    }

    /** The offline run directory, or null when online. */
    public Path offlineDir() {
        return offline == null ? null : offline.dir();
    }

    /**
     * The run's page in the web UI, {@code <public_url>/runs/<run_id>} (Azure's
     * {@code get_portal_url()}); add {@code ?embed=1} for the page without the app's header (e.g.
     * in an iframe). The server's UI address is asked once per client ({@code GetServerInfo}).
     * Empty for an offline run (it has no server id yet; after {@code labbook sync} open the
     * uploaded run) and when the server has no UI (its HTTP port is off and no
     * {@code --public-url} is set).
     */
    public Optional<String> getPortalUrl() {
        if (client == null) {
            return Optional.empty();
        }
        return client.server().info().runUrl(id);
    }

    /** The client of an online run (for searches and other reads); null when offline. */
    public LabbookClient client() {
        return client;
    }

    // ---------------------------------------------------------------- metrics

    /** Logs a value at the key's next automatic step (0, 1, 2... per key). */
    public void logMetric(String name, double value) {
        if (!accepting()) {
            return;
        }
        recorder.record(name, value);
    }

    public void logMetric(String name, double value, long step) {
        if (!accepting()) {
            return;
        }
        recorder.record(name, value, step, System.currentTimeMillis());
    }

    public void logMetric(String name, double value, long step, long timestampMs) {
        if (!accepting()) {
            return;
        }
        recorder.record(name, value, step, timestampMs);
    }

    /** Logs several values at one step with one timestamp. */
    public void logMetrics(Map<String, ? extends Number> values, long step) {
        if (!accepting()) {
            return;
        }
        long now = System.currentTimeMillis();
        values.forEach((k, v) -> recorder.record(k, v.doubleValue(), step, now));
    }

    // ---------------------------------------------------------------- params, tags, description

    /** A typed param: Long/Integer → int, Double/Float → double, Boolean, anything else its string. */
    public void logParam(String key, Object value) {
        if (!accepting()) {
            return;
        }
        sink.params(Map.of(key, value));
    }

    public void logParams(Map<String, ?> params) {
        if (!accepting()) {
            return;
        }
        if (!params.isEmpty()) {
            sink.params(params);
        }
    }

    public void setTags(Map<String, String> tags) {
        if (!accepting()) {
            return;
        }
        if (!tags.isEmpty()) {
            sink.tags(tags);
        }
    }

    public void setTag(String key, String value) {
        if (!accepting()) {
            return;
        }
        sink.tags(Map.of(key, value));
    }

    public void setDescription(String description) {
        if (!accepting()) {
            return;
        }
        sink.description(description);
    }

    // ---------------------------------------------------------------- tables

    /** A list of values → rows of the single column {@code value} of table {@code name}. */
    public void logList(String name, List<?> values) {
        if (!accepting()) {
            return;
        }
        List<Map<String, ?>> rows = new ArrayList<>(values.size());
        for (Object v : values) {
            rows.add(Map.of("value", v));
        }
        sink.rows(name, rows);
    }

    /** One row of table {@code name}. */
    public void logRow(String name, Map<String, ?> columns) {
        if (!accepting()) {
            return;
        }
        sink.rows(name, List.of(new LinkedHashMap<>(columns)));
    }

    /** Columns of equal length, zipped into rows of table {@code name}. */
    public void logTable(String name, Map<String, ? extends List<?>> columns) {
        if (!accepting()) {
            return;
        }
        int n = -1;
        for (Map.Entry<String, ? extends List<?>> c : columns.entrySet()) {
            if (n >= 0 && c.getValue().size() != n) {
                throw new IllegalArgumentException("logTable " + name + ": column " + c.getKey() + " has "
                        + c.getValue().size() + " values, others " + n);
            }
            n = c.getValue().size();
        }
        List<Map<String, ?>> rows = new ArrayList<>(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (Map.Entry<String, ? extends List<?>> c : columns.entrySet()) {
                row.put(c.getKey(), c.getValue().get(i));
            }
            rows.add(row);
        }
        if (!rows.isEmpty()) {
            sink.rows(name, rows);
        }
    }

    // ---------------------------------------------------------------- text log

    public void log(String text) {
        log(text, LogLevel.INFO);
    }

    /**
     * A line of the run's text log. Text over 64 KiB of UTF-8 (the server's limit per line) is
     * stored as several consecutive lines; NUL characters become U+FFFD.
     */
    public void log(String text, LogLevel level) {
        if (!accepting()) {
            return;
        }
        logPieces(text, level, Integer.MAX_VALUE);
    }

    private void logPieces(String text, LogLevel level, int maxLines) {
        List<String> pieces = LogText.split(text);
        long now = System.currentTimeMillis();
        for (String piece : pieces.subList(0, Math.min(maxLines, pieces.size()))) {
            sink.log(new LogLine(-1, now, level, LogStream.USER, piece));
        }
    }

    // ---------------------------------------------------------------- files and references

    /**
     * Stores a file as artifact {@code name} (its file name when null). Online, the file is read
     * when the background thread sends it: keep it until {@link #flush()} returns.
     */
    public void logFile(Path file, String name, Direction direction) {
        if (!accepting()) {
            return;
        }
        sink.file(file, name == null ? file.getFileName().toString() : name, direction, null);
    }

    /** Azure's {@code upload_file}: an output file at artifact path {@code name}. */
    public void uploadFile(String name, Path file) {
        if (!accepting()) {
            return;
        }
        sink.file(file, name, Direction.OUTPUT, null);
    }

    /** Every regular file below {@code dir} as {@code prefix/relative/path} outputs. */
    public void uploadDirectory(String prefix, Path dir) {
        if (!accepting()) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            LOG.warning("labbook: cannot list " + dir + ": " + e.getMessage());
            return;
        }
        String p = prefix == null || prefix.isEmpty() ? "" : (prefix.endsWith("/") ? prefix : prefix + "/");
        for (Path f : files) {
            sink.file(f, p + dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"),
                    Direction.OUTPUT, null);
        }
    }

    /** An image stored as artifact {@code name} (the file's extension is added when name has none). */
    public void logImage(String name, Path image) {
        if (!accepting()) {
            return;
        }
        sink.file(image, withExtension(name, image), Direction.OUTPUT, null);
    }

    /** One image of a series {@code name}, at {@code name/step-<step>.<ext>}, listed in step order. */
    public void logImage(String name, Path image, long step) {
        if (!accepting()) {
            return;
        }
        sink.file(image, withExtension(name + "/step-" + step, image), Direction.OUTPUT, step);
    }

    /** A reference (name → URI or value) without uploading, as SageMaker's {@code log_artifact}. */
    public void logArtifact(String name, String uri, Direction direction) {
        if (!accepting()) {
            return;
        }
        sink.reference(name, uri, direction);
    }

    private static String withExtension(String name, Path file) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        if (last.contains(".")) {
            return name;
        }
        String f = file.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot < 0 ? name : name + f.substring(dot);
    }

    // ---------------------------------------------------------------- status and lifecycle

    /** Sends everything logged so far; waits up to the close timeout. False when it timed out. */
    public boolean flush() {
        return flush(options.closeTimeout().toMillis());
    }

    public boolean flush(long timeoutMillis) {
        recorder.sealPartial();
        return sink.flush(timeoutMillis);
    }

    public void complete() {
        finish(RunStatus.COMPLETED);
    }

    public void cancel() {
        finish(RunStatus.CANCELED);
    }

    public void fail() {
        finish(RunStatus.FAILED);
    }

    /** FAILED, with the exception logged as an ERROR line. */
    public void fail(Throwable error) {
        if (!finished && error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            logPieces(trace.toString(), LogLevel.ERROR, MAX_TRACE_LINES);
        }
        finish(RunStatus.FAILED);
    }

    private synchronized void finish(RunStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        recorder.sealPartial();
        sink.status(status);
    }

    /**
     * Runs training code: FAILED (and the exception rethrown, unchecked ones as they are) when it
     * throws, COMPLETED when it returns.
     */
    public void execute(Body body) {
        try {
            body.run(this);
            complete();
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        } catch (Exception e) {
            fail(e);
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets COMPLETED (if this run was opened here and has no status yet), delivers what is
     * queued for up to the close timeout — unsent metric batches are then left in the spool for
     * the next {@code Labbook.connect} — and stops the background threads. Never throws.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            flusher.interrupt();
            // seals the last points; a logMetric racing with close() lands in that block or is ignored
            recorder.close();
            if (owned) {
                finish(RunStatus.COMPLETED);
            }
            sink.close(options.closeTimeout().toMillis());
        } catch (RuntimeException e) {
            LOG.warning("labbook: closing run " + name + ": " + e);
        }
        if (ownedConnection != null) {
            try {
                ownedConnection.close();
            } catch (Exception e) {
                LOG.fine(() -> "labbook: closing the connection: " + e);
            }
        }
    }

    /** Logging after close() is ignored (with one warning) instead of reviving the threads. */
    private boolean accepting() {
        if (!closed) {
            return true;
        }
        if (!warnedClosed) {
            warnedClosed = true;
            LOG.warning("labbook: run " + name + " is closed; ignoring what is logged to it");
        }
        return false;
    }

    private void flushLoop() {
        long interval = Math.max(10, options.flushInterval().toMillis());
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                recorder.sealPartial();
            } catch (RuntimeException e) {
                LOG.fine(() -> "labbook: periodic flush: " + e);
            }
            try {
                sink.heartbeat(System.currentTimeMillis());
            } catch (RuntimeException e) {
                LOG.fine(() -> "labbook: lease renewal: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- reading (online runs)

    private LabbookClient reader() {
        if (client == null) {
            throw new IllegalStateException("run " + name + " is offline: there is no server to read from");
        }
        flush();
        return client;
    }

    /**
     * Azure's {@code get_metrics}: each metric series → its last value (Double); each table
     * with the single column {@code value} (from {@link #logList}) → that column's list; any
     * other table → column name → list of values. Flushes first.
     */
    public Map<String, Object> getMetrics() {
        LabbookClient c = reader();
        Map<String, Object> out = new TreeMap<>();
        for (MetricSummary m : c.metrics().list(id)) {
            out.put(m.key(), m.lastValue());
        }
        for (TableInfo info : c.tables().list(id)) {
            String table = info.name();
            Table t = c.tables().get(id, table);
            if (t.columns().size() == 1 && t.columns().get(0).name().equals("value")) {
                out.put(table, t.column("value"));
            } else {
                out.put(table, t.columnMap());
            }
        }
        return out;
    }

    public MetricSeries getMetricHistory(String key) {
        return reader().metrics().history(id, key);
    }

    public Map<String, Object> getParams() {
        return reader().runs().get(id).params();
    }

    public Map<String, String> getTags() {
        return reader().runs().get(id).tags();
    }

    /** The run as the server has it now. */
    public RunInfo info() {
        return reader().runs().get(id);
    }

    /** Artifact paths of the run, sorted (Azure's {@code get_file_names}). */
    public List<String> getFileNames() {
        List<String> out = new ArrayList<>();
        for (Artifact a : reader().artifacts().listAll(id, "")) {
            out.add(a.path());
        }
        return out;
    }

    /** Downloads an artifact to a file (resuming a partial one). */
    public Artifact download(String path, Path target) {
        return reader().artifacts().downloadTo(id, path, target, null);
    }

    // ---------------------------------------------------------------- ML-Dash's calls

    /** ML-Dash's {@code run.parameters().set(...)}: see {@link RunParameters}. */
    public RunParameters parameters() {
        return new RunParameters(this);
    }

    /** ML-Dash's {@code run.metric("loss").append(...)}: see {@link RunMetric}. */
    public RunMetric metric(String name) {
        return new RunMetric(this, name);
    }

    /**
     * ML-Dash's {@code run.file("model.pth", prefix="/models")}: the file as the output
     * {@code models/model.pth} ({@code prefix} without its slashes, then the file's name; a
     * null, empty or "/" prefix: the file's name alone).
     */
    public void file(Path file, String prefix) {
        String folder = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        String base = file.getFileName().toString();
        uploadFile(folder.isEmpty() ? base : folder + "/" + base, file);
    }

    MetricRecorder recorder() {
        return recorder;
    }

    RunSink sink() {
        return sink;
    }

    @Override
    public String toString() {
        return "Run[" + (offline != null ? "offline " + offline.dir() : id) + ", " + name + "]";
    }
}
