package dev.labbook.cli.render;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code name [=====>    ] 45% 12.3/27.0 MiB}), redrawn with
 * {@code \r} at most every 100 ms. When stderr is not a terminal (CI logs, tests) it prints only
 * the final line, so logs are not flooded. Quiet mode (--json) prints nothing.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private String label;
    private boolean countsBytes = true;
    private final boolean live;
    private final boolean quiet;
    private long total;
    private long done;
    private long lastDrawNanos;
    private boolean drawn;
    private boolean updated;

    public ProgressBar(PrintStream out, String label, long total, boolean quiet) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.quiet = quiet;
        this.live = System.console() != null;
    }

    public synchronized void update(long done, long total) {
        this.updated = true;
        this.done = done;
        this.total = total;
        long now = System.nanoTime();
        if (live && !quiet && now - lastDrawNanos > 100_000_000L) {
            lastDrawNanos = now;
            out.print("\r" + render());
            out.flush();
            drawn = true;
        }
    }

    /** Progress in items (not bytes), under a label that may change (e.g. the phase of a sync). */
    public synchronized void updateItems(String newLabel, long done, long total) {
        this.label = newLabel;
        this.countsBytes = false;
        update(done, total);
    }

    /** Progress in bytes under a new label. */
    public synchronized void updateBytes(String newLabel, long done, long total) {
        this.label = newLabel;
        this.countsBytes = true;
        update(done, total);
    }

    public synchronized void step(long delta) {
        update(done + delta, total);
    }

    public String render() {
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled == WIDTH ? "=" : ">") : "")
                + " ".repeat(WIDTH - filled);
        return String.format(Locale.ROOT, "%s [%s] %3d%% %s/%s", label, bar, Math.round(fraction * 100),
                amount(done), total < 0 ? "?" : amount(total));
    }

    private String amount(long n) {
        return countsBytes ? bytes(n) : Long.toString(n);
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    @Override
    public synchronized void close() {
        if (quiet || !updated) {
            return; // nothing was transferred: no bar at all
        }
        out.print((drawn ? "\r" : "") + render() + System.lineSeparator());
        out.flush();
    }
}
