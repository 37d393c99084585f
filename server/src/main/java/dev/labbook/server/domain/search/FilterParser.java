package dev.labbook.server.domain.search;

import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.search.Filter.Literal;
import dev.labbook.server.domain.search.Filter.Operator;
import dev.labbook.server.domain.search.SearchField.Aggregate;
import dev.labbook.server.domain.search.SearchField.Name;
import dev.labbook.server.domain.search.Token.Kind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recursive-descent parser of the search language (docs/search.md):
 *
 * <pre>
 * filter     := or END
 * or         := and ( OR and )*
 * and        := not ( AND not )*
 * not        := NOT not | primary
 * primary    := '(' or ')' | predicate
 * predicate  := field ( op literal | [NOT] (LIKE | ILIKE) string | [NOT] IN '(' literal (',' literal)* ')'
 *                     | IS [NOT] NULL )
 * field      := (params | metrics | tags) '.' key | [attributes '.'] attribute
 * key        := segment ( '.' segment )*          -- segment: word or `backquoted`
 * order_key  := field [ASC | DESC] [NULLS LAST] END
 * </pre>
 *
 * Keywords are case-insensitive. Predicates are type-checked here, so the store only compiles
 * well-typed trees; every error carries the column it was found at.
 */
public final class FilterParser {
    /** Bounds that keep a hostile filter from costing more than a normal one. */
    static final int MAX_LENGTH = 16 * 1024;
    static final int MAX_DEPTH = 32;
    static final int MAX_PREDICATES = 100;
    static final int MAX_IN_VALUES = 1000;
    static final int MAX_KEY_LENGTH = 250;

    private final List<Token> tokens;
    private int pos;
    private int depth;
    private int predicates;

    private FilterParser(String input) {
        if (input.length() > MAX_LENGTH) {
            throw new FilterSyntaxException(MAX_LENGTH + 1, "longer than " + MAX_LENGTH + " characters");
        }
        this.tokens = Lexer.tokenize(input);
    }

    /** Parses a filter; a blank filter is null (every run matches). */
    public static Filter parseFilter(String input) {
        if (input == null || input.isBlank()) {
            return null;
        }
        FilterParser parser = new FilterParser(input);
        Filter filter = parser.or();
        parser.expect(Kind.END, "AND, OR or the end of the filter");
        return filter;
    }

    /** Parses one order key such as {@code metrics.`val/acc` DESC}. */
    public static OrderKey parseOrderKey(String input) {
        if (input == null || input.isBlank()) {
            throw new FilterSyntaxException(1, "empty order key; expected a field such as metrics.loss");
        }
        FilterParser parser = new FilterParser(input);
        Token fieldStart = parser.peek();
        SearchField field = parser.field();
        if (field instanceof SearchField.Attribute a && a.name() == Name.ID) {
            throw new FilterSyntaxException(fieldStart.column(),
                    "id is not an order key: ties are already ordered by id, newest first");
        }
        boolean descending = false;
        if (parser.acceptKeyword("DESC")) {
            descending = true;
        } else {
            parser.acceptKeyword("ASC");
        }
        if (parser.peek().isKeyword("NULLS")) {
            parser.pos++;
            Token which = parser.next();
            if (!which.isKeyword("LAST")) {
                throw new FilterSyntaxException(which.column(),
                        "only NULLS LAST is supported: runs without a value always come last");
            }
        }
        parser.expect(Kind.END, "ASC, DESC, NULLS LAST or the end of the order key");
        return new OrderKey(field, descending);
    }

    private Filter or() {
        List<Filter> terms = new ArrayList<>();
        terms.add(and());
        while (acceptKeyword("OR")) {
            terms.add(and());
        }
        return terms.size() == 1 ? terms.get(0) : new Filter.Or(terms);
    }

    private Filter and() {
        List<Filter> terms = new ArrayList<>();
        terms.add(not());
        while (acceptKeyword("AND")) {
            terms.add(not());
        }
        return terms.size() == 1 ? terms.get(0) : new Filter.And(terms);
    }

    private Filter not() {
        Token start = peek();
        if (acceptKeyword("NOT")) {
            enter(start);
            Filter term = not();
            depth--;
            return new Filter.Not(term);
        }
        return primary();
    }

    private Filter primary() {
        Token start = peek();
        if (start.kind() == Kind.LEFT_PAREN) {
            pos++;
            enter(start);
            Filter inner = or();
            depth--;
            expect(Kind.RIGHT_PAREN, "')' to close the '(' at column " + start.column());
            return inner;
        }
        return predicate();
    }

    private void enter(Token token) {
        if (++depth > MAX_DEPTH) {
            throw new FilterSyntaxException(token.column(), "nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private Filter predicate() {
        Token start = peek();
        if (++predicates > MAX_PREDICATES) {
            throw new FilterSyntaxException(start.column(), "more than " + MAX_PREDICATES + " predicates");
        }
        SearchField field = field();
        Token op = next();
        if (op.kind() == Kind.OPERATOR) {
            Operator operator = Operator.of(op.text());
            Token valueToken = peek();
            Literal value = literal();
            return new Filter.Comparison(field, operator, typed(field, operator, value, valueToken, op));
        }
        boolean negated = false;
        Token keyword = op;
        if (op.isKeyword("NOT")) {
            negated = true;
            keyword = next();
        }
        if (keyword.isKeyword("LIKE") || keyword.isKeyword("ILIKE")) {
            Token pattern = next();
            if (pattern.kind() != Kind.STRING) {
                throw new FilterSyntaxException(pattern.column(), "expected a 'string' pattern after "
                        + keyword.text().toUpperCase(Locale.ROOT) + ", found " + pattern.describe());
            }
            requireLikeable(field, keyword);
            requireCompleteEscapes(pattern);
            return new Filter.Like(field, pattern.text(), keyword.isKeyword("ILIKE"), negated);
        }
        if (keyword.isKeyword("IN")) {
            return new Filter.In(field, inList(field, keyword), negated);
        }
        if (!negated && keyword.isKeyword("IS")) {
            boolean not = acceptKeyword("NOT");
            Token nullToken = next();
            if (!nullToken.isKeyword("NULL")) {
                throw new FilterSyntaxException(nullToken.column(), "expected NULL after IS"
                        + (not ? " NOT" : "") + ", found " + nullToken.describe());
            }
            return new Filter.IsNull(field, not);
        }
        throw new FilterSyntaxException(keyword.column(), negated
                ? "expected LIKE, ILIKE or IN after NOT, found " + keyword.describe()
                : "expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS) after the field, found "
                        + keyword.describe());
    }

    private List<Literal> inList(SearchField field, Token in) {
        expect(Kind.LEFT_PAREN, "'(' after IN");
        List<Literal> values = new ArrayList<>();
        do {
            if (values.size() == MAX_IN_VALUES) {
                throw new FilterSyntaxException(peek().column(), "more than " + MAX_IN_VALUES + " values in IN");
            }
            Token valueToken = peek();
            values.add(typed(field, Operator.EQ, literal(), valueToken, in));
        } while (accept(Kind.COMMA));
        expect(Kind.RIGHT_PAREN, "',' or ')' in the IN list");
        for (Literal value : values) {
            if (value.getClass() != values.get(0).getClass()) {
                throw new FilterSyntaxException(in.column(),
                        "IN values must be all numbers, all 'strings' or all TRUE/FALSE");
            }
        }
        return values;
    }

    private Literal literal() {
        Token token = next();
        switch (token.kind()) {
            case STRING:
                return new Filter.Text(token.text());
            case NUMBER: {
                double value = Double.parseDouble(token.text());
                if (Double.isInfinite(value)) {
                    throw new FilterSyntaxException(token.column(), "number " + token.text() + " is out of range");
                }
                return new Filter.Number(value);
            }
            case IDENTIFIER:
                if (token.isKeyword("TRUE") || token.isKeyword("FALSE")) {
                    return new Filter.Bool(token.isKeyword("TRUE"));
                }
                if (token.isKeyword("NULL")) {
                    throw new FilterSyntaxException(token.column(),
                            "compare with NULL using IS NULL or IS NOT NULL");
                }
                throw new FilterSyntaxException(token.column(), "expected a value ('string', number, TRUE or "
                        + "FALSE), found " + token.describe() + "; strings take single quotes");
            default:
                throw new FilterSyntaxException(token.column(),
                        "expected a value ('string', number, TRUE or FALSE), found " + token.describe());
        }
    }

    /** Checks that the value suits the field and operator; times and statuses come out normalized. */
    private static Literal typed(SearchField field, Operator op, Literal value, Token at, Token opToken) {
        int column = at.column();
        if (field instanceof SearchField.Param) {
            if (value instanceof Filter.Bool && !op.isEquality()) {
                throw new FilterSyntaxException(opToken.column(), "TRUE and FALSE compare only with = and !=");
            }
            return value;
        }
        if (field instanceof SearchField.Metric) {
            if (!(value instanceof Filter.Number)) {
                throw new FilterSyntaxException(column, "metrics compare with numbers, found " + at.describe());
            }
            return value;
        }
        if (field instanceof SearchField.Tag) {
            if (!(value instanceof Filter.Text)) {
                throw new FilterSyntaxException(column,
                        "tags are strings; quote the value ('" + at.text() + "'), found " + at.describe());
            }
            return value;
        }
        Name name = ((SearchField.Attribute) field).name();
        switch (name) {
            case NAME:
                return requireText(value, at, "name compares with 'strings'");
            case EXPERIMENT:
                requireEquality(op, opToken, "experiment");
                return requireText(value, at, "experiment compares with an experiment's 'name' or 'id'");
            case ID: {
                requireEquality(op, opToken, "id");
                Filter.Text text = requireText(value, at, "id compares with a run id 'string'");
                String id = text.value().strip().toLowerCase(Locale.ROOT);
                if (!RUN_ID.matcher(id).matches()) {
                    throw new FilterSyntaxException(column, "id = and IN take a full run id "
                            + "('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'), found " + at.describe()
                            + "; use id LIKE 'prefix%' for part of one");
                }
                return new Filter.Text(id);
            }
            case STATUS: {
                requireEquality(op, opToken, "status");
                Filter.Text text = requireText(value, at, "status compares with 'QUEUED', 'RUNNING', "
                        + "'COMPLETED', 'FAILED', 'CANCELED' or 'CRASHED'");
                String upper = text.value().toUpperCase(Locale.ROOT);
                for (RunStatus status : RunStatus.values()) {
                    if (status.name().equals(upper)) {
                        return new Filter.Text(upper);
                    }
                }
                throw new FilterSyntaxException(column, "unknown status " + at.describe()
                        + "; use QUEUED, RUNNING, COMPLETED, FAILED, CANCELED or CRASHED");
            }
            default:
                return time(value, at);
        }
    }

    private static Filter.Text requireText(Literal value, Token at, String rule) {
        if (value instanceof Filter.Text text) {
            return text;
        }
        throw new FilterSyntaxException(at.column(), rule + ", found " + at.describe());
    }

    private static void requireEquality(Operator op, Token opToken, String field) {
        if (!op.isEquality()) {
            throw new FilterSyntaxException(opToken.column(),
                    field + " supports =, !=, IN" + (field.equals("status") ? "" : ", LIKE and ILIKE")
                            + "; found " + op.symbol());
        }
    }

    /** Years 0001 to 9999, in epoch milliseconds: what every client and PostgreSQL can represent. */
    private static final java.util.regex.Pattern RUN_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static final double MIN_TIME_MS = -62_135_596_800_000.0;
    private static final double MAX_TIME_MS = 253_402_300_799_999.0;

    /** Epoch milliseconds, or an ISO-8601 instant, offset date-time or date (UTC midnight). */
    private static Literal time(Literal value, Token at) {
        if (value instanceof Filter.Number number) {
            return inTimeRange(number, at);
        }
        if (value instanceof Filter.Text text) {
            String s = text.value().trim();
            try {
                try {
                    return inTimeRange(new Filter.Number(Instant.parse(s).toEpochMilli()), at);
                } catch (DateTimeParseException ignored) {
                    // try the next form
                }
                try {
                    return inTimeRange(new Filter.Number(OffsetDateTime.parse(s).toInstant().toEpochMilli()), at);
                } catch (DateTimeParseException ignored) {
                    // try the next form
                }
                try {
                    return inTimeRange(new Filter.Number(LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
                            .toEpochMilli()), at);
                } catch (DateTimeParseException ignored) {
                    // reported below
                }
            } catch (ArithmeticException overflow) {
                throw outOfRange(at);
            }
        }
        throw new FilterSyntaxException(at.column(), "times compare with epoch milliseconds or an ISO-8601 "
                + "time such as '2025-01-31T12:00:00Z', found " + at.describe());
    }

    private static Literal inTimeRange(Filter.Number number, Token at) {
        double ms = number.value();
        if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) {
            throw outOfRange(at);
        }
        return number;
    }

    private static FilterSyntaxException outOfRange(Token at) {
        return new FilterSyntaxException(at.column(), "time " + at.describe()
                + " is outside the years 0001 to 9999");
    }

    /** In a LIKE pattern '\\' escapes the next character; a pattern cannot end in a lone escape. */
    private static void requireCompleteEscapes(Token pattern) {
        String p = pattern.text();
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '\\' && ++i == p.length()) {
                throw new FilterSyntaxException(pattern.column(),
                        "the LIKE pattern ends with an escape character '\\'; write '\\\\' for a backslash");
            }
        }
    }

    private static void requireLikeable(SearchField field, Token keyword) {
        boolean ok = field instanceof SearchField.Param || field instanceof SearchField.Tag
                || (field instanceof SearchField.Attribute a
                        && (a.name() == Name.NAME || a.name() == Name.EXPERIMENT || a.name() == Name.ID));
        if (!ok) {
            throw new FilterSyntaxException(keyword.column(), keyword.text().toUpperCase(Locale.ROOT)
                    + " applies to params, tags, name, experiment and id, not to numbers, times or status");
        }
    }

    private SearchField field() {
        Token first = next();
        if (first.kind() != Kind.IDENTIFIER) {
            throw new FilterSyntaxException(first.column(), "expected a field (params.<key>, metrics.<key>, "
                    + "tags.<key>, name, status, start_time, end_time, experiment or id), found " + first.describe());
        }
        String prefix = first.text().toLowerCase(Locale.ROOT);
        switch (prefix) {
            case "params":
            case "param":
                return new SearchField.Param(key(first, false).key());
            case "tags":
            case "tag":
                return new SearchField.Tag(key(first, false).key());
            case "metrics":
            case "metric": {
                ParsedKey key = key(first, true);
                return new SearchField.Metric(key.key(), key.aggregate());
            }
            case "attributes":
            case "attribute":
            case "attr": {
                expect(Kind.DOT, "'.' and an attribute after " + first.text());
                Token attribute = next();
                return attribute(attribute);
            }
            default:
                return attribute(first);
        }
    }

    private static SearchField attribute(Token token) {
        if (token.kind() == Kind.IDENTIFIER) {
            for (Name name : Name.values()) {
                if (name.name().equalsIgnoreCase(token.text())) {
                    return new SearchField.Attribute(name);
                }
            }
        }
        throw new FilterSyntaxException(token.column(), "unknown field " + token.describe()
                + "; use params.<key>, metrics.<key>, tags.<key>, name, status, start_time, end_time, experiment "
                + "or id");
    }

    private record ParsedKey(String key, Aggregate aggregate) {
    }

    /**
     * A dotted key after a prefix. For metrics an unquoted last segment last/min/max picks the
     * aggregate (metrics.loss.min); backquote the segment to use such a name as part of a key.
     */
    private ParsedKey key(Token prefix, boolean metric) {
        expect(Kind.DOT, "'.' and a key after " + prefix.text() + " (e.g. " + prefix.text() + ".lr)");
        List<Token> segments = new ArrayList<>();
        do {
            Token segment = next();
            if (segment.kind() != Kind.IDENTIFIER && segment.kind() != Kind.QUOTED_KEY) {
                throw new FilterSyntaxException(segment.column(), "expected a key after '.', found "
                        + segment.describe() + "; backquote keys with other characters: `my key`");
            }
            segments.add(segment);
        } while (accept(Kind.DOT));
        Aggregate aggregate = Aggregate.LAST;
        Token last = segments.get(segments.size() - 1);
        if (metric && segments.size() > 1 && last.kind() == Kind.IDENTIFIER) {
            for (Aggregate a : Aggregate.values()) {
                if (a.name().equalsIgnoreCase(last.text())) {
                    aggregate = a;
                    segments.remove(segments.size() - 1);
                    break;
                }
            }
        }
        StringBuilder key = new StringBuilder();
        for (Token segment : segments) {
            if (key.length() > 0) {
                key.append('.');
            }
            key.append(segment.text());
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new FilterSyntaxException(segments.get(0).column(), "key longer than " + MAX_KEY_LENGTH
                    + " characters");
        }
        return new ParsedKey(key.toString(), aggregate);
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token token = tokens.get(pos);
        if (token.kind() != Kind.END) {
            pos++;
        }
        return token;
    }

    private boolean accept(Kind kind) {
        if (peek().kind() == kind) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String keyword) {
        if (peek().isKeyword(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(Kind kind, String what) {
        Token token = peek();
        if (token.kind() != kind) {
            throw new FilterSyntaxException(token.column(), "expected " + what + ", found " + token.describe());
        }
        next();
    }
}
