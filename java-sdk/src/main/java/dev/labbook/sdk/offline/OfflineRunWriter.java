package dev.labbook.sdk.offline;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.labbook.sdk.AlreadyExistsException;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.ErrorInfo;
import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.Resume;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.SourceInfo;
import dev.labbook.sdk.internal.Hashing;
import dev.labbook.sdk.internal.LogText;
import dev.labbook.sdk.internal.PointBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes one offline run directory in the format of docs/offline-format.md. Every method is
 * thread-safe and never throws: an I/O error is reported once through java.util.logging and the
 * record is lost (an offline run must not stop training).
 */
public final class OfflineRunWriter {
    private static final Logger LOG = Logger.getLogger(OfflineRunWriter.class.getName());
    private static final DateTimeFormatter DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    public static final String SDK = "java/0.1.0";

    private final Path dir;
    private final String localId;
    private final JsonObject run;
    private final Map<String, OutputStream> writers = new HashMap<>();
    private final Map<String, String> tags = new TreeMap<>();
    /** Held while the run is open, so that no other process reopens (and co-writes) it. */
    private FileChannel lockChannel;
    private final boolean resumed;
    private boolean warned;

    private OfflineRunWriter(Path dir, String localId, JsonObject run, FileChannel lockChannel, boolean resumed) {
        this.dir = dir;
        this.localId = localId;
        this.run = run;
        this.lockChannel = lockChannel;
        this.resumed = resumed;
    }

    /**
     * Creates {@code <root>/<yyyyMMdd-HHmmss>-<first 8 hex of local id>} and its run.json — or,
     * when {@code name} is given and an offline run of that project, experiment and name exists in
     * {@code root} and no live process holds it, reopens that one (as online: a name resumes).
     *
     * @param name the run name, or empty for {@code offline-<first 8 hex>}
     */
    public static OfflineRunWriter create(Path root, String project, String experiment, String name,
            String description, Map<String, String> tags, SourceInfo source) throws IOException {
        return create(root, project, experiment, name, description, tags, source, Resume.ALLOW);
    }

    /**
     * As {@link #create(Path, String, String, String, String, Map, SourceInfo)}, with the resume
     * policy applied to the offline runs in {@code root} (the server is not asked: {@code sync}
     * later refuses a name the server holds for another run): {@link Resume#NEVER} fails with
     * {@link AlreadyExistsException} when a run of that name exists in {@code root},
     * {@link Resume#MUST} with {@link NotFoundException} when none can be reopened.
     */
    public static OfflineRunWriter create(Path root, String project, String experiment, String name,
            String description, Map<String, String> tags, SourceInfo source, Resume resume) throws IOException {
        String projectName = project == null || project.isEmpty() ? "default" : project;
        String experimentName = experiment == null || experiment.isEmpty() ? "default" : experiment;
        Resume policy = resume == null ? Resume.ALLOW : resume;
        boolean named = name != null && !name.isEmpty();
        if (policy == Resume.MUST && !named) {
            throw new IllegalArgumentException("Resume.MUST needs the name of the run to resume");
        }
        Files.createDirectories(root);
        if (named) {
            if (policy == Resume.NEVER) {
                Path taken = find(root, projectName, experimentName, name);
                if (taken != null) {
                    throw new AlreadyExistsException("offline run '" + name + "' of experiment '" + experimentName
                            + "' exists in " + taken + " (Resume.NEVER)", null,
                            new ErrorInfo(ErrorReason.RUN_ALREADY_EXISTS, Map.of()));
                }
            } else {
                OfflineRunWriter reopened = reopen(root, projectName, experimentName, name, description, tags);
                if (reopened != null) {
                    return reopened;
                }
                if (policy == Resume.MUST) {
                    throw new NotFoundException("no offline run '" + name + "' of experiment '" + experimentName
                            + "' in " + root + " that this process can resume (Resume.MUST; a run held by a live "
                            + "process cannot be reopened)", null, new ErrorInfo(ErrorReason.RUN_NOT_FOUND, Map.of()));
                }
            }
        }
        long now = System.currentTimeMillis();
        String localId;
        Path dir;
        // Made exclusively: a clash (same second, same 8 hex) draws a new id, never shares a dir.
        while (true) {
            localId = UUID.randomUUID().toString();
            dir = root.resolve(DIR_TIME.format(Instant.ofEpochMilli(now)) + "-" + localId.substring(0, 8));
            try {
                Files.createDirectory(dir);
                break;
            } catch (FileAlreadyExistsException clash) {
                // next id
            }
        }
        String shortId = localId.substring(0, 8);
        FileChannel lock = tryLock(dir);
        JsonObject run = new JsonObject();
        run.addProperty("format", OfflineFormat.FORMAT);
        run.addProperty("local_id", localId);
        run.addProperty("project", projectName);
        run.addProperty("experiment", experimentName);
        run.addProperty("name", name == null || name.isEmpty() ? "offline-" + shortId : name);
        run.addProperty("description", description == null ? "" : description);
        run.add("tags", new JsonObject());
        run.addProperty("status", "RUNNING");
        run.addProperty("start_time_ms", now);
        run.addProperty("end_time_ms", 0);
        JsonObject src = new JsonObject();
        SourceInfo s = source == null ? SourceInfo.EMPTY : source;
        src.addProperty("script", s.script());
        src.add("args", Json.strings(s.args()));
        src.addProperty("git_commit", s.gitCommit());
        src.addProperty("git_dirty", s.gitDirty());
        src.addProperty("host", s.host());
        src.addProperty("working_dir", s.workingDir());
        run.add("source", src);
        run.addProperty("sdk", SDK);
        OfflineRunWriter w = new OfflineRunWriter(dir, localId, run, lock, false);
        if (tags != null) {
            w.tags.putAll(tags);
        }
        w.writeRunJson();
        return w;
    }

    /** The first run directory in {@code root} with this project, experiment and name (any case), or null. */
    private static Path find(Path root, String project, String experiment, String name) throws IOException {
        List<Path> dirs;
        try (var list = Files.list(root)) {
            dirs = list.filter(OfflineRunReader::isRunDir).sorted().toList();
        }
        for (Path dir : dirs) {
            try {
                if (matches(new OfflineRunReader(dir).runJson(), project, experiment, name)) {
                    return dir;
                }
            } catch (IOException | RuntimeException unreadable) {
                // not a run we can read: not a clash either
            }
        }
        return null;
    }

    private static boolean matches(JsonObject run, String project, String experiment, String name) {
        return project.equals(str(run, "project"))
                && experiment.toLowerCase(Locale.ROOT).equals(str(run, "experiment").toLowerCase(Locale.ROOT))
                && name.toLowerCase(Locale.ROOT).equals(str(run, "name").toLowerCase(Locale.ROOT));
    }

    /** The run directory in {@code root} with this project, experiment and name (any case), locked for us. */
    private static OfflineRunWriter reopen(Path root, String project, String experiment, String name,
            String description, Map<String, String> tags) throws IOException {
        List<Path> dirs;
        try (var list = Files.list(root)) {
            dirs = list.filter(OfflineRunReader::isRunDir).sorted().toList();
        }
        for (Path dir : dirs) {
            JsonObject run;
            try {
                run = new OfflineRunReader(dir).runJson();
            } catch (IOException | RuntimeException unreadable) {
                continue;
            }
            if (!matches(run, project, experiment, name)) {
                continue;
            }
            FileChannel lock = tryLock(dir);
            if (lock == null) {
                continue; // being written by another process right now: that run stays its own
            }
            OfflineRunWriter w = new OfflineRunWriter(dir, run.get("local_id").getAsString(), run, lock, true);
            if (run.has("tags") && run.get("tags").isJsonObject()) {
                run.getAsJsonObject("tags").entrySet().forEach(e -> w.tags.put(e.getKey(), e.getValue().getAsString()));
            }
            if (tags != null) {
                w.tags.putAll(tags);
            }
            if (description != null && !description.isEmpty()) {
                run.addProperty("description", description);
            }
            run.addProperty("status", "RUNNING");
            run.addProperty("end_time_ms", 0);
            w.writeRunJson();
            return w;
        }
        return null;
    }

    private static String str(JsonObject o, String field) {
        return o.has(field) && o.get(field).isJsonPrimitive() ? o.get(field).getAsString() : "";
    }

    /** An exclusive POSIX record lock on {@code <dir>/.lock} (the Python SDK takes the same kind), or null when held elsewhere. */
    private static FileChannel tryLock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return channel;
            }
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            // fall through: held by another writer of this JVM
        }
        channel.close();
        return null;
    }

    /** True when an existing offline run of the same name was reopened. */
    public boolean resumed() {
        return resumed;
    }

    /** The largest step of each series written so far (a reopened run continues after it). */
    public synchronized Map<String, Long> lastSteps() {
        Map<String, Long> last = new HashMap<>();
        try {
            for (JsonObject line : new OfflineRunReader(dir).lines(OfflineFormat.METRICS)) {
                JsonArray keys = line.getAsJsonArray("keys");
                JsonArray index = line.getAsJsonArray("key_index");
                JsonArray steps = line.getAsJsonArray("step");
                for (int i = 0; i < index.size(); i++) {
                    last.merge(keys.get(index.get(i).getAsInt()).getAsString(), steps.get(i).getAsLong(), Math::max);
                }
            }
        } catch (IOException | RuntimeException e) {
            warn("cannot read the steps of the reopened offline run", e);
        }
        return last;
    }

    public Path dir() {
        return dir;
    }

    public String localId() {
        return localId;
    }

    public synchronized String name() {
        return run.get("name").getAsString();
    }

    /** Appends one metrics.jsonl line per block (blocks hold at most 10,000 points). */
    public void metrics(PointBlock block, List<String> keyNames) {
        for (int from = 0; from < block.size(); from += OfflineFormat.MAX_POINTS_PER_LINE) {
            int to = Math.min(block.size(), from + OfflineFormat.MAX_POINTS_PER_LINE);
            JsonObject o = new JsonObject();
            JsonArray keys = new JsonArray();
            JsonArray index = new JsonArray();
            JsonArray step = new JsonArray();
            JsonArray ts = new JsonArray();
            JsonArray value = new JsonArray();
            Map<Integer, Integer> local = new HashMap<>();
            for (int i = from; i < to; i++) {
                int g = block.keys()[i];
                Integer l = local.get(g);
                if (l == null) {
                    l = local.size();
                    local.put(g, l);
                    keys.add(keyNames.get(g));
                }
                index.add(l);
                step.add(block.steps()[i]);
                ts.add(block.timestampsMs()[i]);
                value.add(Json.number(block.values()[i]));
            }
            o.add("keys", keys);
            o.add("key_index", index);
            o.add("step", step);
            o.add("timestamp_ms", ts);
            o.add("value", value);
            append(OfflineFormat.METRICS, o);
        }
    }

    public void params(Map<String, ?> params) {
        params.forEach((k, v) -> {
            JsonObject o = new JsonObject();
            o.addProperty("key", k);
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                o.addProperty("int", ((Number) v).longValue());
            } else if (v instanceof Double || v instanceof Float) {
                o.add("double", Json.number(((Number) v).doubleValue()));
            } else if (v instanceof Boolean b) {
                o.addProperty("bool", b);
            } else {
                o.addProperty("string", String.valueOf(v));
            }
            append(OfflineFormat.PARAMS, o);
        });
    }

    public synchronized void tags(Map<String, String> more) {
        tags.putAll(more);
        writeRunJson();
    }

    public synchronized void description(String description) {
        run.addProperty("description", description == null ? "" : description);
        writeRunJson();
    }

    public synchronized void status(RunStatus status) {
        run.addProperty("status", status.name());
        run.addProperty("end_time_ms", status.isFinal() ? System.currentTimeMillis() : 0);
        writeRunJson();
    }

    public void rows(String table, List<? extends Map<String, ?>> rows) {
        JsonObject o = new JsonObject();
        o.addProperty("table", table);
        JsonArray a = new JsonArray();
        for (Map<String, ?> row : rows) {
            JsonObject r = new JsonObject();
            row.forEach((k, v) -> r.add(k, Json.cell(v)));
            a.add(r);
        }
        o.add("rows", a);
        append(OfflineFormat.TABLES, o);
    }

    /** One logs.jsonl line per piece of at most 64 KiB of UTF-8 (the server's limit per line). */
    public void log(LogLine line) {
        for (String piece : LogText.split(line.text())) {
            JsonObject o = new JsonObject();
            o.addProperty("timestamp_ms", line.timestampMs());
            o.addProperty("level", line.level().name());
            o.addProperty("stream", line.stream().name());
            o.addProperty("text", piece);
            append(OfflineFormat.LOGS, o);
        }
    }

    /** Copies the file into files/ at log time (the original may change later) and records it. */
    public void file(Path source, String path, Direction direction, Long step) {
        try {
            Path copy = dir.resolve(OfflineFormat.FILES).resolve(path).normalize();
            if (!copy.startsWith(dir.resolve(OfflineFormat.FILES))) {
                throw new IOException("artifact path escapes the run directory: " + path);
            }
            Files.createDirectories(copy.getParent());
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            JsonObject o = new JsonObject();
            o.addProperty("kind", "file");
            o.addProperty("path", path);
            o.addProperty("file", OfflineFormat.FILES + "/" + path);
            o.addProperty("direction", direction.name());
            o.addProperty("media_type", "");
            o.addProperty("size_bytes", Files.size(copy));
            o.addProperty("sha256", Hashing.sha256(copy));
            o.add("step", step == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(step));
            append(OfflineFormat.ARTIFACTS, o);
        } catch (IOException | RuntimeException e) {
            warn("cannot copy " + source + " into the offline run", e);
        }
    }

    public void reference(String name, String uri, Direction direction) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "reference");
        o.addProperty("path", name);
        o.addProperty("uri", uri);
        o.addProperty("direction", direction.name());
        append(OfflineFormat.ARTIFACTS, o);
    }

    /** Closes the open .jsonl files and lets a later run of the same name reopen the directory. */
    public synchronized void close() {
        for (OutputStream w : writers.values()) {
            try {
                w.close();
            } catch (IOException e) {
                warn("cannot close an offline file", e);
            }
        }
        writers.clear();
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                warn("cannot release the offline run's lock", e);
            }
            lockChannel = null;
        }
    }

    /**
     * Writes one whole line with one unbuffered write. After a failed write the stream is
     * dropped; the next append cuts a torn last line off the file before writing again, so a
     * failure never leaves a broken line in the middle of a file (readers refuse those).
     */
    private synchronized void append(String file, JsonObject o) {
        Path path = dir.resolve(file);
        try {
            byte[] line = (Json.line(o) + "\n").getBytes(StandardCharsets.UTF_8);
            OutputStream w = writers.get(file);
            if (w == null) {
                cutTornLine(path);
                w = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                writers.put(file, w);
            }
            w.write(line);
        } catch (IOException | RuntimeException e) {
            OutputStream broken = writers.remove(file);
            if (broken != null) {
                try {
                    broken.close();
                } catch (IOException ignored) {
                    // it failed already
                }
            }
            warn("cannot write " + path, e);
        }
    }

    /** Truncates a file after its last newline (the rest is a line a failed write left torn). */
    static void cutTornLine(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (end > 0) {
                long start = Math.max(0, end - buf.capacity());
                buf.clear().limit((int) (end - start));
                while (buf.hasRemaining() && ch.read(buf, start + buf.position()) >= 0) {
                    // read the whole window
                }
                for (int i = buf.position() - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        long keep = start + i + 1;
                        if (keep < ch.size()) {
                            ch.truncate(keep);
                        }
                        return;
                    }
                }
                end = start;
            }
            ch.truncate(0);
        }
    }

    private void writeRunJson() {
        JsonObject t = new JsonObject();
        tags.forEach(t::addProperty);
        run.add("tags", t);
        Path target = dir.resolve(OfflineFormat.RUN_JSON);
        Path tmp = dir.resolve(OfflineFormat.RUN_JSON + ".tmp");
        try {
            Files.writeString(tmp, Json.line(run) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            warn("cannot write " + target, e);
        }
    }

    private synchronized void warn(String what, Exception e) {
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "labbook: offline run " + dir + ": " + what
                    + " (further write errors of this run are not reported)", e);
        }
    }
}
