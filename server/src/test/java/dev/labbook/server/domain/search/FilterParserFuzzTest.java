package dev.labbook.server.domain.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.search.Filter.Literal;
import dev.labbook.server.testing.FuzzStats;
import dev.labbook.server.testing.FuzzText;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the search language through the service's request check: any
 * filter and order key either parse, or fail as INVALID_ARGUMENT naming the field ("filter",
 * "order_by[0]") and a column inside the input; nothing else may escape (an
 * IndexOutOfBounds or NumberFormatException would reach the caller as INTERNAL). A parsed
 * filter, printed back in the language, parses to the same tree. The input is the filter, a
 * NUL byte and the order key (NUL cannot occur in either). Seeds and regression inputs:
 * src/test/resources/dev/labbook/server/domain/search/FilterParserFuzzTestInputs/.
 */
class FilterParserFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("filter_parser");

    @FuzzTest(maxDuration = "2s")
    @DictionaryEntries({"params.", "metrics.", "tags.", "attributes.", " AND ", " OR ", "NOT ", " LIKE ",
        " ILIKE ", " IN (", " IS NULL", " IS NOT NULL", "name", "status", "start_time", "end_time", "experiment",
        ".min", ".max", "TRUE", "FALSE", "'", "`", "<=", ">=", "!=", "<>", "'COMPLETED'", "'2025-01-31T12:00:00Z'",
        "1e308", " DESC", " ASC", " NULLS LAST"})
    void parsesOrRefusesWithTheField(byte[] input) {
        STATS.count();
        int nul = indexOf(input, (byte) 0);
        String filter = FuzzText.decode(input, 0, nul < 0 ? input.length : nul);
        String orderKey = nul < 0 ? "" : FuzzText.decode(input, nul + 1, input.length);
        List<String> orderBy = orderKey.isEmpty() ? List.of() : List.of(orderKey);
        RunQuery query;
        try {
            query = RunSearchService.query(new RunSearchService.SearchRequest(List.of(), "fuzz", filter, orderBy,
                    0, "", Lifecycle.ACTIVE, 0));
        } catch (InvalidArgumentException e) {
            assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_FILTER);
            assertThat(e.field()).isIn("filter", "order_by[0]");
            String input0 = e.field().equals("filter") ? filter : orderKey;
            assertThat(e.getMessage()).startsWith(e.field() + ": syntax error at column ");
            int column = Integer.parseInt(e.metadata().get("column"));
            assertThat(column).isBetween(1, input0.length() + 1);
            return;
        }
        if (filter.isBlank()) {
            assertThat(query.filter()).isNull();
        } else {
            String printed = print(query.filter());
            if (printed.length() <= FilterParser.MAX_LENGTH) {
                assertThat(FilterParser.parseFilter(printed)).as("%s printed as %s", filter, printed)
                        .isEqualTo(query.filter());
            }
        }
        assertThat(query.order()).hasSize(orderBy.size());
    }

    @AfterAll
    static void writeStats() {
        STATS.write();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The filter in the search language, with the parentheses its tree needs and no more. */
    static String print(Filter filter) {
        if (filter instanceof Filter.And and) {
            return and.terms().stream().map(FilterParserFuzzTest::operand).collect(Collectors.joining(" AND "));
        }
        if (filter instanceof Filter.Or or) {
            return or.terms().stream().map(FilterParserFuzzTest::operand).collect(Collectors.joining(" OR "));
        }
        if (filter instanceof Filter.Not not) {
            return "NOT " + operand(not.term());
        }
        if (filter instanceof Filter.Comparison c) {
            return field(c.field()) + " " + c.op().symbol() + " " + literal(c.value());
        }
        if (filter instanceof Filter.In in) {
            return field(in.field()) + (in.negated() ? " NOT IN (" : " IN (")
                    + in.values().stream().map(FilterParserFuzzTest::literal).collect(Collectors.joining(", ")) + ")";
        }
        if (filter instanceof Filter.Like like) {
            return field(like.field()) + (like.negated() ? " NOT " : " ") + (like.caseInsensitive() ? "ILIKE " : "LIKE ")
                    + quote(like.pattern(), '\'');
        }
        Filter.IsNull isNull = (Filter.IsNull) filter;
        return field(isNull.field()) + (isNull.negated() ? " IS NOT NULL" : " IS NULL");
    }

    private static String operand(Filter term) {
        return term instanceof Filter.And || term instanceof Filter.Or ? "(" + print(term) + ")" : print(term);
    }

    private static String field(SearchField field) {
        if (field instanceof SearchField.Param p) {
            return "params." + quote(p.key(), '`');
        }
        if (field instanceof SearchField.Tag t) {
            return "tags." + quote(t.key(), '`');
        }
        if (field instanceof SearchField.Metric m) {
            return "metrics." + quote(m.key(), '`') + "." + m.aggregate().name().toLowerCase(Locale.ROOT);
        }
        return ((SearchField.Attribute) field).name().name().toLowerCase(Locale.ROOT);
    }

    private static String literal(Literal literal) {
        if (literal instanceof Filter.Number n) {
            return Double.toString(n.value());
        }
        if (literal instanceof Filter.Bool b) {
            return b.value() ? "TRUE" : "FALSE";
        }
        return quote(((Filter.Text) literal).value(), '\'');
    }

    private static String quote(String text, char quote) {
        String q = String.valueOf(quote);
        return q + text.replace(q, q + q) + q;
    }
}
