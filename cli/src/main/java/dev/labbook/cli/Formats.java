package dev.labbook.cli;

import dev.labbook.cli.render.Sparkline;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How human output writes times, durations and values. */
final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Formats() {
    }

    static String time(long epochMs) {
        return epochMs <= 0 ? "" : TIME.format(Instant.ofEpochMilli(epochMs));
    }

    /** From start to end, or to now while running. */
    static String duration(long startMs, long endMs) {
        if (startMs <= 0) {
            return "";
        }
        Duration d = Duration.ofMillis(Math.max(0, (endMs > 0 ? endMs : System.currentTimeMillis()) - startMs));
        if (d.toHours() > 0) {
            return String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
        }
        if (d.toMinutes() > 0) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    static String value(Object v) {
        if (v instanceof Double d) {
            return Sparkline.format(d);
        }
        if (v instanceof Float f) {
            return Sparkline.format(f);
        }
        return v == null ? "" : v.toString();
    }

    static String tags(Map<String, String> tags) {
        return new TreeMap<>(tags).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
