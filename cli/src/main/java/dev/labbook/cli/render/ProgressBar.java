package dev.labbook.cli.render;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Transfer progress on stderr, drawn by {@code me.tongfei:progressbar} (percentage, amounts, rate
 * and ETA, redrawn in place at most every 100 ms and fitted to the terminal's width). When stderr
 * is not a terminal (CI logs, tests) nothing is drawn while the transfer runs, and its final state
 * is printed once, when this bar closes, as one plain line (no carriage return). Quiet mode
 * (--json) prints nothing, and neither does a bar that was never updated. On a terminal, a change
 * of label (a new phase of a sync) or of unit finishes the current line and starts a new one.
 */
public final class ProgressBar implements AutoCloseable {
    /** Width of the line when stderr is not a terminal. */
    static final int PLAIN_WIDTH = 100;

    private final PrintStream out;
    private final boolean quiet;
    private final boolean live;
    private String label;
    private boolean countsBytes = true;
    private me.tongfei.progressbar.ProgressBar bar;
    private ProgressBarConsumer consumer;
    /** Without a terminal: the latest rendering of every phase, printed once at the end. */
    private final FinalLine plain;
    private String barLabel;
    private boolean barBytes;
    private long done;
    private long total;

    public ProgressBar(PrintStream out, String label, long total, boolean quiet) {
        this(out, label, total, quiet, System.console() != null);
    }

    /** With {@code live} false, the no-terminal behaviour: one plain line per transfer, at its end. */
    public ProgressBar(PrintStream out, String label, long total, boolean quiet, boolean live) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.quiet = quiet;
        this.live = live;
        this.plain = live ? null : new FinalLine(out);
    }

    public synchronized void update(long done, long total) {
        this.done = done;
        this.total = total;
        if (quiet) {
            return;
        }
        if (bar != null && (!label.equals(barLabel) || countsBytes != barBytes)) {
            finish();
        }
        if (bar == null) {
            bar = start();
        }
        bar.maxHint(total > 0 ? total : -1);
        bar.stepTo(Math.max(0, done));
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

    private me.tongfei.progressbar.ProgressBar start() {
        barLabel = label;
        barBytes = countsBytes;
        consumer = live ? new ClosingOnce(new ConsoleProgressBarConsumer(out)) : new KeptOpen(plain);
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(label).setInitialMax(total > 0 ? total : -1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100).setConsumer(consumer)
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).showSpeed();
        if (countsBytes) {
            // Amounts are shown as whole units: the largest unit that still counts the total in tens.
            long unit = 1;
            String name = " B";
            for (String u : new String[] {" KiB", " MiB", " GiB"}) {
                if (total >= unit * 1024 * 10) {
                    unit *= 1024;
                    name = u;
                }
            }
            b.setUnit(name, unit);
            b.showSpeed(new java.text.DecimalFormat("0.0", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        }
        return b.startsFrom(0, Duration.ZERO).build();
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            finish();
        }
        if (plain != null) {
            plain.close();
        }
    }

    /**
     * Closes the library's bar (which draws the final state), then its consumer. The library
     * (0.10.1) skips closing the consumer when the bar ends before its first scheduled redraw.
     */
    private void finish() {
        bar.close();
        consumer.close();
        bar = null;
        consumer = null;
    }

    /** Hands renderings to the final line, which outlives each phase's bar. */
    private record KeptOpen(FinalLine line) implements ProgressBarConsumer {
        @Override
        public int getMaxRenderedLength() {
            return line.getMaxRenderedLength();
        }

        @Override
        public void accept(String rendered) {
            line.accept(rendered);
        }

        @Override
        public void close() {
            // the line is printed when the whole transfer ends
        }
    }

    /** A consumer whose close (the final newline) happens once. */
    private static final class ClosingOnce implements ProgressBarConsumer {
        private final ProgressBarConsumer inner;
        private boolean closed;

        ClosingOnce(ProgressBarConsumer inner) {
            this.inner = inner;
        }

        @Override
        public int getMaxRenderedLength() {
            return inner.getMaxRenderedLength();
        }

        @Override
        public synchronized void accept(String rendered) {
            if (!closed) {
                inner.accept(rendered);
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                inner.close();
            }
        }
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

    /** Keeps the latest rendering and prints it once, as a plain line, when the bar closes. */
    static final class FinalLine implements ProgressBarConsumer {
        private final PrintStream out;
        private String last;

        FinalLine(PrintStream out) {
            this.out = out;
        }

        @Override
        public int getMaxRenderedLength() {
            return PLAIN_WIDTH;
        }

        @Override
        public synchronized void accept(String rendered) {
            last = rendered;
        }

        @Override
        public synchronized void close() {
            if (last != null) {
                out.print(last.replace("\r", "").stripTrailing() + System.lineSeparator());
                out.flush();
                last = null;
            }
        }
    }
}
