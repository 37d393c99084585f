package dev.labbook.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Token lifetimes as written on the command line: {@code 90d}, {@code 12h}, {@code 30m}, {@code 2w}, {@code 3600s}; {@code never} or {@code 0}: no expiry. */
final class Ttl {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    private Ttl() {
    }

    /** The lifetime; {@link Duration#ZERO} for never. CliException (naming --expires) when malformed. */
    static Duration parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("never") || t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = FORMAT.matcher(t);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CliException("--expires '" + text + "': a number and a unit, e.g. 12h, 30d, 90d (s, m, h, d, w), "
                    + "or 'never'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
