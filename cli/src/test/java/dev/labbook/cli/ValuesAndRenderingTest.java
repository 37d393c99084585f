package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.cli.render.ProgressBar;
import dev.labbook.cli.render.Sparkline;
import dev.labbook.cli.render.Table;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesAndRenderingTest {
    @Test
    void tablesFitAWidthByCuttingTheWidestColumnsFirstButNeverTheIds() {
        Table table = new Table("ID", "NAME", "NOTE");
        table.row("12345678", "short", "x".repeat(80));
        table.row("9abcdef0", "a-much-longer-run-name-than-the-rest", "y");
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out), 40);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
        assertThat(lines.get(1)).startsWith("12345678  short").endsWith("…");
        assertThat(lines.get(2)).startsWith("9abcdef0  a-much-longer").contains("…");
        // No limit: every cell in full.
        StringWriter full = new StringWriter();
        table.print(new PrintWriter(full), 0);
        assertThat(full.toString()).contains("x".repeat(80));
        assertThat(Table.ellipsize("abcdef", 4)).isEqualTo("abc…");
    }

    @Test
    void columnsThatCannotFitAreLeftOutWithANoteAndCsvKeepsEveryFullTitle() {
        List<String> header = new java.util.ArrayList<>(List.of("ID", "NAME"));
        for (int i = 0; i < 30; i++) {
            header.add("params.key" + i);
        }
        Table table = new Table(header).shownHeader(header.stream().map(CompareCommand::shortTitle).toList())
                .overflowHint("--wide shows them");
        Object[] cells = new Object[header.size()];
        java.util.Arrays.fill(cells, "0.001");
        cells[0] = "12345678";
        table.row(cells);
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out), 60);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
        assertThat(lines.get(0)).startsWith("ID        NAME   p.key0  p.key1");
        assertThat(lines.get(2)).matches("\\(\\d+ more columns not shown: --wide shows them\\)");
        int shown = lines.get(0).split(" +").length;
        assertThat(lines.get(2)).startsWith("(" + (header.size() - shown) + " more");
        StringWriter csv = new StringWriter();
        table.printCsv(new PrintWriter(csv));
        assertThat(csv.toString()).startsWith("ID,NAME,params.key0,params.key1,");
    }

    @Test
    void csvQuotesOnlyWhatNeedsIt() {
        Table table = new Table("A", "B");
        table.row("plain", "with, comma");
        table.row("say \"hi\"", " padded");
        StringWriter out = new StringWriter();
        table.printCsv(new PrintWriter(out));
        assertThat(out.toString()).isEqualTo("A,B\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\" padded\"\r\n");
    }

    @Test
    void shortIdsAreTheRandomEndOfTheId() {
        assertThat(ListingOptions.shortId("0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b")).isEqualTo("9e0f1a2b");
        assertThat(RunResolver.idPartFilter("9e0f1a2b")).isEqualTo("id LIKE '9e0f1a2b%' OR id LIKE '%9e0f1a2b'");
    }

    @Test
    void paramValuesAreTypedLikeAUserMeansThem() {
        assertThat(ParamValues.typed("42")).isEqualTo(42L);
        assertThat(ParamValues.typed("-3")).isEqualTo(-3L);
        assertThat(ParamValues.typed("0.01")).isEqualTo(0.01);
        assertThat(ParamValues.typed("1e-3")).isEqualTo(0.001);
        assertThat(ParamValues.typed(".5")).isEqualTo(0.5);
        assertThat((Double) ParamValues.typed("nan")).isNaN();
        assertThat(ParamValues.typed("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ParamValues.typed("True")).isEqualTo(true);
        assertThat(ParamValues.typed("adam")).isEqualTo("adam");
        assertThat(ParamValues.typed("s:007")).isEqualTo("007");
        assertThat(ParamValues.typed("1.2.3")).isEqualTo("1.2.3");
        assertThat(ParamValues.typed("99999999999999999999")).isEqualTo(1e20); // too long for an int: a double
        assertThat(ParamValues.typed(Map.of("a", "1")).get("a")).isEqualTo(1L);
    }

    @Test
    void searchLiteralsDoubleTheirQuotes() {
        assertThat(RunResolver.quote("it's")).isEqualTo("'it''s'");
    }

    @Test
    void tablesAlignColumnsAndKeepCellsOnOneLine() {
        StringWriter out = new StringWriter();
        new Table("A", "LONGER").row("wide cell", "x").row("b", "two\nlines").print(new PrintWriter(out));
        assertThat(out.toString().lines().toList()).containsExactly(
                "A          LONGER",
                "wide cell  x",
                "b          two lines");
    }

    @Test
    void sparklinesDrawEachColumnsRangeInBrailleAndSkipNonFiniteValues() {
        // eight steps, two columns a character, four dot rows from 0 (bottom) to 7 (top)
        assertThat(Sparkline.line(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 4))
                .isEqualTo("⣀⠤⠒⠉");
        assertThat(Sparkline.line(new long[] {0, 1, 2}, new double[] {1, Double.NaN, 3}, 10)).isEqualTo("⡀⠁");
        assertThat(Sparkline.line(new long[] {0}, new double[] {Double.NaN}, 10)).isEmpty();
        assertThat(Sparkline.line(new long[] {0, 1}, new double[] {5, 5}, 10)).isEqualTo("⠤");
        long[] steps = new long[1000];
        double[] spike = new double[1000];
        double[] dip = new double[1000];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
            spike[i] = 1;
            dip[i] = 1;
        }
        spike[537] = 50;
        dip[800] = -5;
        // 40 columns: the spike's (537 * 40 / 1000 = 21, the right half of character 10) spans
        // every row, 1.0 to 50; the dip's (32, the left half of character 16) 1.0 down to -5
        assertThat(Sparkline.line(steps, spike, 20)).isEqualTo("⣀".repeat(10) + "⣸" + "⣀".repeat(9));
        assertThat(Sparkline.line(steps, dip, 20)).isEqualTo("⠉".repeat(16) + "⡏" + "⠉".repeat(3));
    }

    @Test
    void numbersAndSizesReadNaturally() {
        assertThat(Sparkline.format(3.0)).isEqualTo("3");
        assertThat(Sparkline.format(0.1)).isEqualTo("0.1");
        assertThat(Sparkline.format(1.0 / 3)).isEqualTo("0.333333");
        assertThat(Sparkline.format(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(ProgressBar.bytes(1023)).isEqualTo("1023 B");
        assertThat(ProgressBar.bytes(300_000)).isEqualTo("293.0 KiB");
    }
}
