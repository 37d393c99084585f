package dev.labbook.sdk;

/** A training "script" for ScriptModeIT, run in a child JVM: script mode from the environment. */
public final class ScriptModeMain {
    private ScriptModeMain() {
    }

    public static void main(String[] args) {
        Run run = Run.getContext();
        if (Run.getContext() != run) {
            throw new AssertionError("getContext must return the same run");
        }
        System.out.println("run-id=" + run.id());
        System.out.println("offline-dir=" + run.offlineDir());
        run.logParam("lr", 0.1);
        for (int i = 0; i < 3; i++) {
            run.logMetric("loss", 1.0 / (i + 1));
        }
        Run.getContext().log("from the script");
        if (args.length > 0 && args[0].equals("throw")) {
            throw new IllegalStateException("training diverged");
        }
        // normal exit: the exit hook closes the run (COMPLETED unless it was attached)
    }
}
