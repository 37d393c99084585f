package dev.labbook.sdk;

import dev.labbook.sdk.internal.Environment;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Entry point for training code: a connection to a Labbook server from which experiments and
 * runs are opened. Connecting also replays, in the background, any metric batches an earlier
 * process left in the spool directory ({@link #spoolReplay()}).
 *
 * <pre>{@code
 * try (Labbook lb = Labbook.connect("localhost:7800");
 *      Run run = lb.experiment("mnist").startRun("lr-0.1")) {
 *     run.logParam("lr", 0.1);
 *     for (int step = 0; step < 1000; step++) run.logMetric("loss", loss(step));
 * }
 * }</pre>
 */
public final class Labbook implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Labbook.class.getName());

    private final LabbookClient client;      // null when offline
    private final java.nio.file.Path offlineRoot; // null when online
    private final LabbookOptions options;
    private final CompletableFuture<SpoolReplayer.Result> replay;

    private Labbook(java.nio.file.Path offlineRoot, LabbookOptions options) {
        this.client = null;
        this.offlineRoot = offlineRoot;
        this.options = options;
        this.replay = CompletableFuture.completedFuture(new SpoolReplayer.Result(0, 0, 0, 0));
    }

    private Labbook(LabbookClient client, LabbookOptions options) {
        this.client = client;
        this.offlineRoot = null;
        this.options = options;
        this.replay = CompletableFuture.supplyAsync(() -> {
            try {
                SpoolReplayer.Result r = SpoolReplayer.replay(client, options.spoolDir());
                if (r.batches() > 0 || r.calls() > 0) {
                    LOG.info(() -> "labbook: replayed " + r.batches() + " spooled metric batches (" + r.points()
                            + " points) and " + r.calls() + " spooled calls");
                }
                return r;
            } catch (RuntimeException e) {
                LOG.warning("labbook: spool replay failed: " + e);
                return new SpoolReplayer.Result(0, 0, 0, 1);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "labbook-spool-replay");
            t.setDaemon(true);
            t.start();
        });
    }

    public static Labbook connect(String target) {
        return connect(target, LabbookOptions.defaults());
    }

    public static Labbook connect(String target, LabbookOptions options) {
        return new Labbook(LabbookClient.connect(Target.parse(target), options.client()), options);
    }

    /** As {@link #connect(String, LabbookOptions)}, with credentials from {@code env} instead of the process's. */
    static Labbook connect(String target, LabbookOptions options, Environment env) {
        return connect(target, options, env, LabbookClient.SOURCE_CODE);
    }

    static Labbook connect(String target, LabbookOptions options, Environment env, String targetSource) {
        return new Labbook(LabbookClient.connect(LabbookClient.parse(target, targetSource), options.client(), env,
                targetSource), options);
    }

    /**
     * No server: every run opened from it is an offline run below {@code root}
     * (docs/offline-format.md), uploaded later with {@code labbook sync root}.
     */
    public static Labbook offline(java.nio.file.Path root) {
        return new Labbook(root, LabbookOptions.defaults());
    }

    public boolean isOffline() {
        return client == null;
    }

    /**
     * {@code LABBOOK_TRACKING_URI}, or localhost:7800; the token from {@code LABBOOK_TOKEN},
     * {@code LABBOOK_TOKEN_FILE} or {@code ~/.labbook/credentials} ({@link Credentials}).
     */
    public static Labbook fromEnv() {
        String uri = System.getenv("LABBOOK_TRACKING_URI");
        boolean unset = uri == null || uri.isBlank();
        return connect(unset ? "localhost:" + Target.DEFAULT_PORT : uri, LabbookOptions.defaults(),
                Environment.system(), unset ? LabbookClient.SOURCE_DEFAULT : LabbookClient.SOURCE_ENV);
    }

    /** The typed client; {@code IllegalStateException} when offline. */
    public LabbookClient client() {
        if (client == null) {
            throw new IllegalStateException("offline: there is no server (runs go to " + offlineRoot + ")");
        }
        return client;
    }

    public LabbookOptions options() {
        return options;
    }

    /** The background replay started by connect (completes at once when the spool is empty). */
    public CompletableFuture<SpoolReplayer.Result> spoolReplay() {
        return replay;
    }

    /** Replays the spool now, in this thread. */
    public SpoolReplayer.Result replaySpool() {
        return SpoolReplayer.replay(client(), options.spoolDir());
    }

    public Experiment experiment(String name) {
        return new Experiment(this, "", name);
    }

    public Experiment experiment(String project, String name) {
        return new Experiment(this, project == null ? "" : project, name);
    }

    /** Opens (or resumes, when the name exists) a run this code owns: close() finishes it. */
    public Run startRun(NewRun spec) {
        if (client == null) {
            Run run = Run.offline(offlineRoot, spec.project(), spec.experimentName(), spec.name(), options,
                    spec.resume());
            run.logParams(spec.params());
            run.setTags(spec.tags());
            if (!spec.description().isEmpty()) {
                run.setDescription(spec.description());
            }
            return run;
        }
        OpenedRun opened = client.runs().open(spec);
        return Run.online(client, opened.run(), true, opened.resumed(), options, null);
    }

    /** Attaches to an existing run that someone else owns: close() flushes but sets no status. */
    public Run attach(String runId) {
        return attach(runId, false);
    }

    Run attach(String runId, boolean ownConnection) {
        RunInfo info = client().runs().get(runId);
        return Run.online(client, info, false, true, options, ownConnection ? this : null);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
