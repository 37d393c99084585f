package dev.labbook.sdk;

import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Environment;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;

/** Script mode (docs/script-mode.md): which run a process logs to, from its environment. */
final class ScriptMode {
    private static final Logger LOG = Logger.getLogger(ScriptMode.class.getName());
    private static Run context;
    private static boolean warnedOffline;

    private ScriptMode() {
    }

    private static boolean hooksInstalled;

    /** The cached context run, created on first use or after it was closed (exit hooks once per JVM). */
    static synchronized Run context() {
        if (context == null || context.isClosed()) {
            context = resolve(System.getenv());
            installExitHooksOnce();
        }
        return context;
    }

    private static synchronized Run current() {
        return context;
    }

    static Run resolve(Map<String, String> env) {
        String uri = blankToNull(env.get("LABBOOK_TRACKING_URI"));
        String project = orDefault(env.get("LABBOOK_PROJECT"), "default");
        String experiment = orDefault(env.get("LABBOOK_EXPERIMENT"), "default");
        String runId = blankToNull(env.get("LABBOOK_RUN_ID"));
        String runName = orDefault(env.get("LABBOOK_RUN_NAME"), "");
        LabbookOptions options = LabbookOptions.defaults();
        String spool = blankToNull(env.get("LABBOOK_SPOOL_DIR"));
        if (spool != null) {
            options = options.withSpoolDir(Path.of(spool));
        }
        if (uri == null) {
            Path root = Path.of(orDefault(env.get("LABBOOK_OFFLINE_DIR"), "labbook-offline"));
            Run run = Run.offline(root, project, experiment, runName, options);
            synchronized (ScriptMode.class) {
                if (!warnedOffline) {
                    warnedOffline = true;
                    LOG.warning("labbook: LABBOOK_TRACKING_URI is not set; logging offline to " + run.offlineDir()
                            + " (upload it later with: labbook sync " + root + ")");
                }
            }
            return run;
        }
        // the retry windows of every client apply (Calls): a stopped server or a wrong target fails
        // the first call within seconds, naming LABBOOK_TRACKING_URI
        // the token too comes from env (LABBOOK_TOKEN, LABBOOK_TOKEN_FILE), then ~/.labbook/credentials
        Labbook labbook = Labbook.connect(uri, options,
                new Environment(env, Path.of(System.getProperty("user.home"))), LabbookClient.SOURCE_ENV);
        try {
            if (runId != null) {
                return labbook.attach(runId, true);
            }
            // a name chosen here (in the server's own run-<12 hex> form) makes opening the run
            // safe to retry: a second attempt resumes the same run instead of creating another
            String name = runName.isEmpty() ? "run-" + java.util.UUID.randomUUID().toString().substring(24) : runName;
            NewRun spec = NewRun.in(experiment).withProject(project).withName(name).withSource(SourceInfo.detect());
            OpenedRun opened = labbook.client().runs().open(spec);
            return Run.online(labbook.client(), opened.run(), true, opened.resumed(), options, labbook);
        } catch (RuntimeException e) {
            labbook.close();
            throw e;
        }
    }

    /**
     * Closes the current context run at JVM exit; a run opened here also turns FAILED on an
     * uncaught exception. Installed once: a context run reopened after close() uses the same
     * hooks instead of stacking more.
     */
    private static void installExitHooksOnce() {
        if (hooksInstalled) {
            return;
        }
        hooksInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Run run = current();
            if (run != null) {
                run.close();
            }
        }, "labbook-run-close"));
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            Run run = current();
            // an attached run's status is set by its owner (labbook run: from the exit code)
            if (run != null && run.owned() && !run.isClosed()) {
                run.fail(e);
            }
            if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
        });
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String orDefault(String s, String fallback) {
        String v = blankToNull(s);
        return v == null ? fallback : v;
    }
}
