package dev.labbook.server.domain.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.labbook.server.domain.search.Filter.And;
import dev.labbook.server.domain.search.Filter.Comparison;
import dev.labbook.server.domain.search.Filter.In;
import dev.labbook.server.domain.search.Filter.IsNull;
import dev.labbook.server.domain.search.Filter.Like;
import dev.labbook.server.domain.search.Filter.Not;
import dev.labbook.server.domain.search.Filter.Number;
import dev.labbook.server.domain.search.Filter.Operator;
import dev.labbook.server.domain.search.Filter.Or;
import dev.labbook.server.domain.search.Filter.Text;
import dev.labbook.server.domain.search.SearchField.Aggregate;
import dev.labbook.server.domain.search.SearchField.Attribute;
import dev.labbook.server.domain.search.SearchField.Metric;
import dev.labbook.server.domain.search.SearchField.Name;
import dev.labbook.server.domain.search.SearchField.Param;
import dev.labbook.server.domain.search.SearchField.Tag;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterParserTest {

    private static Filter parse(String filter) {
        return FilterParser.parseFilter(filter);
    }

    private static FilterSyntaxException error(String filter) {
        FilterSyntaxException e = catchThrowableOfType(FilterSyntaxException.class, () -> parse(filter));
        assertThat(e).as("a syntax error for <%s>", filter).isNotNull();
        return e;
    }

    @Test
    void parsesTheIssueExample() {
        Filter filter = parse("params.lr < 0.01 AND metrics.`val/acc` >= 0.9 AND tags.team = 'vision' "
                + "AND status = 'COMPLETED'");
        assertThat(filter).isEqualTo(new And(List.of(
                new Comparison(new Param("lr"), Operator.LT, new Number(0.01)),
                new Comparison(new Metric("val/acc", Aggregate.LAST), Operator.GE, new Number(0.9)),
                new Comparison(new Tag("team"), Operator.EQ, new Text("vision")),
                new Comparison(new Attribute(Name.STATUS), Operator.EQ, new Text("COMPLETED")))));
    }

    @Test
    void blankFilterMatchesEverything() {
        assertThat(parse("")).isNull();
        assertThat(parse("  \n\t")).isNull();
        assertThat(parse(null)).isNull();
    }

    @Test
    void andBindsTighterThanOrAndNotTighterThanAnd() {
        Comparison a = new Comparison(new Param("a"), Operator.EQ, new Number(1));
        Comparison b = new Comparison(new Param("b"), Operator.EQ, new Number(2));
        Comparison c = new Comparison(new Param("c"), Operator.EQ, new Number(3));
        assertThat(parse("params.a = 1 OR params.b = 2 AND params.c = 3"))
                .isEqualTo(new Or(List.of(a, new And(List.of(b, c)))));
        assertThat(parse("NOT params.a = 1 AND params.b = 2"))
                .isEqualTo(new And(List.of(new Not(a), b)));
        assertThat(parse("(params.a = 1 OR params.b = 2) AND params.c = 3"))
                .isEqualTo(new And(List.of(new Or(List.of(a, b)), c)));
        assertThat(parse("not not params.a = 1")).isEqualTo(new Not(new Not(a)));
    }

    @Test
    void idTakesFullIdsForEqualityAndPatternsForLike() {
        String id = "0193A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B";
        assertThat(parse("id = '" + id + "'")).isEqualTo(new Comparison(new Attribute(
                Name.ID), Operator.EQ, new Text(id.toLowerCase(java.util.Locale.ROOT))));
        assertThat(parse("attributes.id LIKE '0193a1%'")).isInstanceOf(Like.class);
        assertThat(error("id = '0193a1'").getMessage()).contains("full run id").contains("LIKE");
        assertThat(error("id > '" + id + "'").getMessage()).contains("id supports =, !=, IN, LIKE and ILIKE");
        assertThat(error("id = 5").getMessage()).contains("id compares with a run id");
        assertThat(catchThrowableOfType(FilterSyntaxException.class, () -> FilterParser.parseOrderKey("id DESC"))
                .getMessage()).contains("id is not an order key");
    }

    @Test
    void keywordsAreCaseInsensitive() {
        assertThat(parse("params.a = 1 and params.b = 2 Or Status In ('completed')")).isInstanceOf(Or.class);
    }

    @Test
    void backquotedKeysHoldDotsSpacesAndDoubledBackquotes() {
        assertThat(parse("params.`optimizer.learning rate` > 0"))
                .isEqualTo(new Comparison(new Param("optimizer.learning rate"), Operator.GT, new Number(0)));
        assertThat(parse("tags.`it``s` = 'x'"))
                .isEqualTo(new Comparison(new Tag("it`s"), Operator.EQ, new Text("x")));
    }

    @Test
    void unquotedDottedKeysJoinSegmentsAndMetricsTakeAnAggregate() {
        assertThat(parse("params.optimizer.lr = 1"))
                .isEqualTo(new Comparison(new Param("optimizer.lr"), Operator.EQ, new Number(1)));
        assertThat(parse("metrics.train/loss.min < 0.5"))
                .isEqualTo(new Comparison(new Metric("train/loss", Aggregate.MIN), Operator.LT, new Number(0.5)));
        assertThat(parse("metrics.val.acc.MAX >= 1"))
                .isEqualTo(new Comparison(new Metric("val.acc", Aggregate.MAX), Operator.GE, new Number(1)));
        assertThat(parse("metrics.`loss.min` < 1"))
                .isEqualTo(new Comparison(new Metric("loss.min", Aggregate.LAST), Operator.LT, new Number(1)));
        assertThat(parse("metrics.max > 1")).as("a lone segment is a key, not an aggregate")
                .isEqualTo(new Comparison(new Metric("max", Aggregate.LAST), Operator.GT, new Number(1)));
        assertThat(parse("params.2nd-stage:lr = 1"))
                .isEqualTo(new Comparison(new Param("2nd-stage:lr"), Operator.EQ, new Number(1)));
    }

    @Test
    void stringsDoubleTheQuoteAndKeepEverythingElseLiterally() {
        assertThat(parse("tags.note = 'it''s'"))
                .isEqualTo(new Comparison(new Tag("note"), Operator.EQ, new Text("it's")));
        assertThat(parse("tags.note = ''''")).isEqualTo(new Comparison(new Tag("note"), Operator.EQ, new Text("'")));
        assertThat(parse("tags.note = ''")).isEqualTo(new Comparison(new Tag("note"), Operator.EQ, new Text("")));
        assertThat(parse("tags.note = '; DROP TABLE run; -- \\ \" ` é 日本'")).isEqualTo(new Comparison(
                new Tag("note"), Operator.EQ, new Text("; DROP TABLE run; -- \\ \" ` é 日本")));
    }

    @Test
    void numbersIncludeSignsFractionsAndExponents() {
        assertThat(parse("metrics.a > -1.5e-3")).isEqualTo(
                new Comparison(new Metric("a", Aggregate.LAST), Operator.GT, new Number(-1.5e-3)));
        assertThat(parse("metrics.a>=+2")).isEqualTo(
                new Comparison(new Metric("a", Aggregate.LAST), Operator.GE, new Number(2)));
        assertThat(parse("params.a <> 3")).isEqualTo(new Comparison(new Param("a"), Operator.NE, new Number(3)));
    }

    @Test
    void parsesInLikeIsNullAndTheirNegations() {
        assertThat(parse("params.opt IN ('adam', 'sgd')"))
                .isEqualTo(new In(new Param("opt"), List.of(new Text("adam"), new Text("sgd")), false));
        assertThat(parse("metrics.a NOT IN (1, 2)"))
                .isEqualTo(new In(new Metric("a", Aggregate.LAST), List.of(new Number(1), new Number(2)), true));
        assertThat(parse("name LIKE 'lr-%'")).isEqualTo(new Like(new Attribute(Name.NAME), "lr-%", false, false));
        assertThat(parse("tags.x NOT ILIKE '%A%'")).isEqualTo(new Like(new Tag("x"), "%A%", true, true));
        assertThat(parse("end_time IS NULL")).isEqualTo(new IsNull(new Attribute(Name.END_TIME), false));
        assertThat(parse("params.lr IS NOT NULL")).isEqualTo(new IsNull(new Param("lr"), true));
    }

    @Test
    void normalizesStatusesAndTimes() {
        assertThat(parse("status = 'failed'"))
                .isEqualTo(new Comparison(new Attribute(Name.STATUS), Operator.EQ, new Text("FAILED")));
        long t = Instant.parse("2025-01-31T12:00:00Z").toEpochMilli();
        assertThat(parse("start_time >= '2025-01-31T12:00:00Z'"))
                .isEqualTo(new Comparison(new Attribute(Name.START_TIME), Operator.GE, new Number(t)));
        assertThat(parse("attributes.end_time < '2025-01-31T13:00:00+01:00'"))
                .isEqualTo(new Comparison(new Attribute(Name.END_TIME), Operator.LT, new Number(t)));
        assertThat(parse("start_time > '2025-01-31'")).isEqualTo(new Comparison(new Attribute(Name.START_TIME),
                Operator.GT, new Number(Instant.parse("2025-01-31T00:00:00Z").toEpochMilli())));
        assertThat(parse("start_time > 1700000000000")).isEqualTo(
                new Comparison(new Attribute(Name.START_TIME), Operator.GT, new Number(1_700_000_000_000d)));
    }

    @ParameterizedTest(name = "{0} -> column {1}")
    @CsvSource(delimiter = '|', textBlock = """
            params.lr <                       | 12 | expected a value
            params.lr < 0.01 AND              | 21 | expected a field
            params.lr 0.01                    | 11 | expected an operator
            params.lr = 'abc                  | 13 | unterminated string
            metrics.`val                      | 9  | unterminated backquoted key
            (params.a = 1                     | 14 | ')' to close the '(' at column 1
            params.a = 1)                     | 13 | AND, OR or the end
            params = 1                        | 8  | '.' and a key after params
            foo = 1                           | 1  | unknown field 'foo'
            metrics.loss = 'low'              | 16 | metrics compare with numbers
            tags.team = 5                     | 13 | tags are strings
            status = 'DONE'                   | 10 | unknown status
            status > 'RUNNING'                | 8  | status supports =, !=, IN
            start_time > 'yesterday'          | 14 | times compare with epoch milliseconds
            start_time > 1e17                 | 14 | outside the years 0001 to 9999
            end_time < '+999999999-01-01T00:00:00Z' | 12 | outside the years 0001 to 9999
            metrics.loss LIKE '1%'            | 14 | LIKE applies to params, tags, name
            params.a = "x"                    | 12 | double quotes are not used
            params.a = 1 && params.b = 2      | 14 | unexpected character '&'
            params.a = 1; DROP TABLE run      | 13 | unexpected character ';'
            params.a = 1 -- comment           | 14 | unexpected character '-'
            params.a = NULL                   | 12 | IS NULL or IS NOT NULL
            params.a IS 5                     | 13 | expected NULL after IS
            params.a NOT = 1                  | 14 | expected LIKE, ILIKE or IN after NOT
            params.a IN ()                    | 14 | expected a value
            params.a IN (1, 'x')              | 10 | IN values must be all numbers
            params.a = 1.                     | 14 | digit after the decimal point
            params.a = 12abc                  | 14 | after a number
            params.a > TRUE                   | 10 | TRUE and FALSE compare only with = and !=
            metrics.a > 1e999                 | 13 | out of range
            name LIKE 'a\\'                    | 11 | ends with an escape character
            """)
    void reportsTheColumnOfEachError(String filter, int column, String message) {
        FilterSyntaxException e = error(filter);
        assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
        assertThat(e.reason()).contains(message);
    }

    @Test
    void columnsCountCharactersNotBytes() {
        FilterSyntaxException e = error("tags.`日本` = 'é' AND ?");
        assertThat(e.column()).isEqualTo(21);
    }

    @Test
    void rejectsUnicodeLookalikesOutsideQuotes() {
        // Full-width apostrophe, non-breaking space, Cyrillic 'а' in "pаrams", fullwidth equals.
        assertThat(error("tags.x = \uFF07a\uFF07").reason()).contains("U+FF07");
        assertThat(error("params.a\u00A0= 1").column()).isEqualTo(9);
        assertThat(error("p\u0430rams.a = 1").reason()).contains("U+0430");
        assertThat(error("params.a \uFF1D 1").reason()).contains("U+FF1D");
    }

    @Test
    void rejectsNulAnywhere() {
        assertThat(error("tags.x = 'a\u0000b'").reason()).contains("NUL");
        assertThat(error("params.\u0000 = 1").reason()).contains("NUL");
    }

    @Test
    void boundsNestingPredicatesAndLength() {
        String deep = "(".repeat(40) + "params.a = 1" + ")".repeat(40);
        assertThat(error(deep).reason()).contains("nested deeper");
        String many = String.join(" OR ", java.util.Collections.nCopies(101, "params.a = 1"));
        assertThat(error(many).reason()).contains("more than 100 predicates");
        assertThat(error("tags.x = '" + "a".repeat(20_000) + "'").reason()).contains("longer than");
        assertThat(error("params.`" + "k".repeat(251) + "` = 1").reason()).contains("key longer than 250");
    }

    @Test
    void parsesOrderKeys() {
        assertThat(FilterParser.parseOrderKey("metrics.`val/acc` DESC"))
                .isEqualTo(new OrderKey(new Metric("val/acc", Aggregate.LAST), true));
        assertThat(FilterParser.parseOrderKey("params.lr asc nulls last"))
                .isEqualTo(new OrderKey(new Param("lr"), false));
        assertThat(FilterParser.parseOrderKey("start_time")).isEqualTo(new OrderKey(new Attribute(Name.START_TIME),
                false));
        FilterSyntaxException first = catchThrowableOfType(FilterSyntaxException.class,
                () -> FilterParser.parseOrderKey("metrics.loss DESC NULLS FIRST"));
        assertThat(first.column()).isEqualTo(25);
        FilterSyntaxException extra = catchThrowableOfType(FilterSyntaxException.class,
                () -> FilterParser.parseOrderKey("metrics.loss DESC, name"));
        assertThat(extra.column()).isEqualTo(18);
    }
}
