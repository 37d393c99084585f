package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * Output options of every listing: {@code --format table|json|csv} ({@code --json} is
 * {@code --format json}), {@code --long} for full ids, {@code --wide} for cells in full.
 * Tables fit the terminal: {@code COLUMNS}, else the size of the terminal stdout is on; piped
 * output without {@code COLUMNS} is not cut.
 */
final class ListingOptions {
    /** How many characters of an id lists show: the random end of a UUIDv7 (its start is a timestamp). */
    static final int SHORT_ID = 8;

    enum Format {
        TABLE, JSON, CSV
    }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Output format: table (default), json or csv. --json is --format json.")
    String format;

    @Option(names = {"-l", "--long"}, description = "Show full ids (lists show the last " + SHORT_ID
            + " characters, which commands accept as RUN).")
    boolean longIds;

    @Option(names = {"-w", "--wide"}, description = "Don't cut cells to fit the terminal width.")
    boolean wide;

    Format format(ClientOptions client) {
        if (format == null || format.isBlank()) {
            return client.json() ? Format.JSON : Format.TABLE;
        }
        Format f;
        try {
            f = Format.valueOf(format.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException("--format must be table, json or csv, got '" + format + "'");
        }
        if (client.json() && f != Format.JSON) {
            throw new CliException("--json and --format " + format + " contradict each other");
        }
        return f;
    }

    boolean json(ClientOptions client) {
        return format(client) == Format.JSON;
    }

    /** The id as lists show it: short in tables unless --long; CSV and JSON carry full ids. */
    String id(ClientOptions client, String id) {
        return longIds || format(client) != Format.TABLE ? id : shortId(id);
    }

    static String shortId(String id) {
        return id == null || id.length() <= SHORT_ID ? id : id.substring(id.length() - SHORT_ID);
    }

    /** Prints {@code table} as a fitted table or as CSV (JSON is the caller's: it prints the SDK's values). */
    void print(ClientOptions client, PrintWriter out, Table table) {
        if (format(client) == Format.CSV) {
            table.printCsv(out);
        } else {
            table.print(out, wide ? 0 : terminalColumns());
        }
    }

    /** The terminal's width: COLUMNS, else what stty says about the terminal; 0 when unknown (no limit). */
    static int terminalColumns() {
        String env = System.getenv("COLUMNS");
        if (env != null && !env.isBlank()) {
            try {
                int columns = Integer.parseInt(env.strip());
                if (columns > 0) {
                    return columns;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the terminal
            }
        }
        if (System.console() == null) {
            return 0;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stty.getInputStream(),
                    StandardCharsets.UTF_8))) {
                answer = in.readLine();
            }
            if (!stty.waitFor(2, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return 0;
            }
            String[] parts = answer == null ? new String[0] : answer.strip().split("\\s+");
            return parts.length == 2 ? Math.max(0, Integer.parseInt(parts[1])) : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
