package dev.labbook.cli.render;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table with left-aligned columns sized to their widest cell, for human output. It
 * can be fitted to a terminal width (the widest columns shrink first, cut cells end in an
 * ellipsis) and written as CSV.
 */
public final class Table {
    /** Two spaces between columns. */
    private static final int GAP = 2;
    /** Columns are not cut below this width (or their header's, if narrower). */
    private static final int MIN_COLUMN = 6;

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table(List<String> header) {
        this.header = List.copyOf(header);
    }

    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : oneLine(c.toString())).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public List<String> header() {
        return header;
    }

    public List<List<String>> rows() {
        return rows;
    }

    /** Every cell in full. */
    public void print(PrintWriter out) {
        print(out, 0);
    }

    /**
     * Fitted to {@code maxWidth} columns (0: no limit): while the table is too wide, the widest
     * columns are cut to the same width, down to a few characters each; cut cells end in '…'.
     */
    public void print(PrintWriter out, int maxWidth) {
        int[] widths = naturalWidths();
        if (maxWidth > 0) {
            // Ids are what people copy: an ID column is never cut.
            boolean[] fixed = new boolean[widths.length];
            for (int i = 0; i < fixed.length; i++) {
                fixed[i] = header.get(i).equals("ID");
            }
            fit(widths, fixed, maxWidth);
        }
        printRow(out, header, widths);
        for (List<String> row : rows) {
            printRow(out, row, widths);
        }
        out.flush();
    }

    /** RFC 4180 CSV: a header line, then one line per row; cells quoted when they need it. */
    public void printCsv(PrintWriter out) {
        out.print(csvLine(header));
        for (List<String> row : rows) {
            out.print(csvLine(row));
        }
        out.flush();
    }

    private int[] naturalWidths() {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        return widths;
    }

    /**
     * Caps every column but the {@code fixed} ones at the largest width that lets the table fit
     * (water-filling from the top: the widest columns shrink first), not below a few characters.
     */
    static void fit(int[] widths, boolean[] fixed, int maxWidth) {
        int available = maxWidth - GAP * Math.max(0, widths.length - 1);
        if (Arrays.stream(widths).sum() <= available) {
            return;
        }
        int cap = Arrays.stream(widths).max().orElse(0);
        while (cap > MIN_COLUMN && cappedSum(widths, fixed, cap) > available) {
            cap--;
        }
        int[] capped = widths.clone();
        for (int i = 0; i < widths.length; i++) {
            capped[i] = fixed[i] ? widths[i] : Math.min(widths[i], cap);
        }
        // Hand the width left over by the integer cap to the widest cut columns, one each.
        int spare = available - Arrays.stream(capped).sum();
        for (int i = 0; i < widths.length && spare > 0; i++) {
            if (widths[i] > capped[i]) {
                capped[i]++;
                spare--;
            }
        }
        System.arraycopy(capped, 0, widths, 0, widths.length);
    }

    private static int cappedSum(int[] widths, boolean[] fixed, int cap) {
        int sum = 0;
        for (int i = 0; i < widths.length; i++) {
            sum += fixed[i] ? widths[i] : Math.min(widths[i], cap);
        }
        return sum;
    }

    /** {@code s} in at most {@code width} characters: cut ones end in '…'. */
    public static String ellipsize(String s, int width) {
        if (s.length() <= width) {
            return s;
        }
        return width <= 1 ? "…".substring(0, Math.max(0, width)) : s.substring(0, width - 1) + "…";
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = ellipsize(cells.get(i), widths[i]);
            line.append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cell.length() + GAP));
            }
        }
        out.println(line.toString().stripTrailing());
    }

    private static String csvLine(List<String> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0
                    || (!c.isEmpty() && (Character.isWhitespace(c.charAt(0))
                            || Character.isWhitespace(c.charAt(c.length() - 1))))) {
                line.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                line.append(c);
            }
        }
        return line.append("\r\n").toString();
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }
}
