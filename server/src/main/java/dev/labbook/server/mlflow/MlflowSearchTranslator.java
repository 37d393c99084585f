package dev.labbook.server.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * MLflow's search syntax ({@code search_runs(filter_string=..., order_by=...)}) parsed by a real
 * tokenizer and re-written in Labbook's filter language (docs/search.md). Every identifier is
 * re-quoted in backquotes and every literal re-quoted in single quotes (or re-checked as a
 * number), so no request text is ever pasted: {@code params.x = 'a'' OR 1=1'} stays one literal.
 * What Labbook cannot answer is INVALID_PARAMETER_VALUE naming it. Pure functions.
 *
 * <p>MLflow's filter: comparisons joined by {@code AND}; identifiers {@code params.k},
 * {@code metrics.k}, {@code tags.k} (also {@code param}, {@code metric}, {@code tag} and the
 * key in backquotes or double quotes), attributes {@code run_id}, {@code run_name}, {@code status},
 * {@code start_time}, {@code end_time}, {@code user_id} (with or without {@code attributes.});
 * strings in single or double quotes, numbers; operators {@code = != < <= > >= LIKE ILIKE IN
 * NOT IN IS NULL IS NOT NULL}.
 */
public final class MlflowSearchTranslator {
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String NIL_ID = "00000000-0000-0000-0000-000000000000";
    private static final Pattern NUMBER = Pattern.compile("-?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("params", "params"), Map.entry("param", "params"), Map.entry("parameter", "params"),
            Map.entry("parameters", "params"), Map.entry("metrics", "metrics"), Map.entry("metric", "metrics"),
            Map.entry("tags", "tags"), Map.entry("tag", "tags"), Map.entry("attributes", "attributes"),
            Map.entry("attribute", "attributes"), Map.entry("attr", "attributes"), Map.entry("run", "attributes"),
            Map.entry("datasets", "datasets"), Map.entry("dataset", "datasets"));

    private MlflowSearchTranslator() {
    }

    /** One parsed comparison: entity (params, metrics, tags, attributes), key, operator, values. */
    public record Comparison(String entity, String key, String op, List<Literal> values) {
    }

    /** A literal: a string or a number (its checked text). */
    public record Literal(boolean string, String text) {
    }

    // ---- runs

    /** The Labbook filter for an MLflow run filter; empty for none. */
    public static String runFilter(String mlflowFilter) {
        return runFilter(parse(mlflowFilter));
    }

    /** The Labbook filter for parsed comparisons (AND); empty for none. */
    public static String runFilter(List<Comparison> comparisons) {
        List<String> parts = new ArrayList<>();
        for (Comparison c : comparisons) {
            parts.add(runPredicate(c));
        }
        return String.join(" AND ", parts);
    }

    private static String runPredicate(Comparison c) {
        switch (c.entity()) {
            case "metrics" -> {
                requireOps(c, "=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS NULL", "IS NOT NULL");
                requireNumbers(c);
                return "metrics." + quoteKey(c.key()) + " " + c.op() + values(c);
            }
            case "params", "tags" -> {
                requireOps(c, "=", "!=", "LIKE", "ILIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL");
                // MLflow's params and tags are strings: a number is compared as its text.
                return c.entity() + "." + quoteKey(c.key()) + " " + c.op() + values(asStrings(c));
            }
            case "attributes" -> {
                return attributePredicate(c);
            }
            default -> throw unsupported(c.entity() + "." + c.key(), "Labbook's MLflow API cannot filter on datasets");
        }
    }

    private static String attributePredicate(Comparison c) {
        String key = c.key().toLowerCase(Locale.ROOT);
        switch (key) {
            case "run_name" -> {
                requireOps(c, "=", "!=", "LIKE", "ILIKE", "IN", "NOT IN");
                String values = values(asStrings(c));
                // MLflow's run name is the tag mlflow.runName; a run made by another client has only its name.
                return "(tags.`mlflow.runName` " + c.op() + values + " OR (tags.`mlflow.runName` IS NULL AND name "
                        + c.op() + values + "))";
            }
            case "status" -> {
                requireOps(c, "=", "!=", "IN", "NOT IN");
                List<Literal> statuses = new ArrayList<>();
                for (Literal value : asStrings(c).values()) {
                    String status;
                    try {
                        status = MlflowJsonMapper.labbookStatus(value.text());
                    } catch (MlflowException e) {
                        throw MlflowException.invalid("Invalid filter on attributes.status: " + e.getMessage());
                    }
                    statuses.add(new Literal(true, status));
                    if (status.equals("RUNNING")) {
                        // CRASHED is shown as RUNNING (docs/mlflow.md).
                        statuses.add(new Literal(true, "CRASHED"));
                    }
                }
                String op = switch (c.op()) {
                    case "=" -> "IN";
                    case "!=" -> "NOT IN";
                    default -> c.op();
                };
                return "status " + op + values(new Comparison(c.entity(), c.key(), "IN", statuses));
            }
            case "start_time", "end_time", "created", "creation_time" -> {
                requireOps(c, "=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS NULL", "IS NOT NULL");
                requireNumbers(c);
                String field = key.equals("end_time") ? "end_time" : "start_time";
                return field + " " + c.op() + values(c);
            }
            case "user_id" -> {
                requireOps(c, "=", "!=", "LIKE", "ILIKE", "IN", "NOT IN");
                return "tags.`mlflow.user` " + c.op() + values(asStrings(c));
            }
            case "run_id", "run_uuid" -> {
                requireOps(c, "=", "!=", "IN", "NOT IN");
                // A value that is no Labbook id (e.g. MLflow's 32 hex digits) matches no run; the
                // nil UUID, never a run's id, keeps the list non-empty without changing its meaning.
                List<Literal> ids = new ArrayList<>();
                for (Literal value : asStrings(c).values()) {
                    String id = value.text().strip().toLowerCase(Locale.ROOT);
                    if (RUN_ID.matcher(id).matches()) {
                        ids.add(new Literal(true, id));
                    }
                }
                ids.add(new Literal(true, NIL_ID));
                String op = c.op().equals("=") || c.op().equals("IN") ? "IN" : "NOT IN";
                return "id " + op + values(new Comparison(c.entity(), c.key(), "IN", ids));
            }
            default -> throw unsupported("attributes." + c.key(), "Labbook's MLflow API filters runs on attributes "
                    + "run_name, status, start_time, end_time and user_id");
        }
    }

    /** Labbook order keys for MLflow's {@code order_by} entries. */
    public static List<String> runOrder(List<String> orderBy) {
        List<String> keys = new ArrayList<>();
        for (String clause : orderBy) {
            Lexer lexer = new Lexer(clause);
            Identifier id = lexer.identifier();
            String direction = "";
            String word = lexer.word();
            if (word != null) {
                String upper = word.toUpperCase(Locale.ROOT);
                if (!upper.equals("ASC") && !upper.equals("DESC")) {
                    throw MlflowException.invalid("Invalid order_by clause '" + clause + "': expected ASC or DESC at column "
                            + (lexer.pos + 1 - word.length()));
                }
                direction = " " + upper;
            }
            lexer.end();
            String field = switch (id.entity()) {
                case "metrics", "params", "tags" -> id.entity() + "." + quoteKey(id.key());
                case "attributes" -> switch (id.key().toLowerCase(Locale.ROOT)) {
                    case "start_time", "created", "creation_time" -> "start_time";
                    case "end_time" -> "end_time";
                    case "run_name" -> "name";
                    case "status" -> "status";
                    case "user_id" -> "tags.`mlflow.user`";
                    default -> throw unsupported("attributes." + id.key(), "Labbook's MLflow API orders runs by "
                            + "metrics, params, tags and attributes start_time, end_time, run_name, status, user_id");
                };
                default -> throw unsupported(id.entity() + "." + id.key(), "cannot order by datasets");
            };
            keys.add(field + direction);
        }
        return keys;
    }

    // ---- experiments (filtered by the adapter itself)

    /** Whether an experiment with this name and tags matches MLflow's experiment filter. */
    public static boolean experimentMatches(List<Comparison> filter, String name, Map<String, String> tags) {
        for (Comparison c : filter) {
            String actual;
            if (c.entity().equals("attributes")) {
                actual = name;
            } else {
                actual = tags.get(c.key());
                if (actual == null) {
                    return false;
                }
            }
            String expected = c.values().get(0).text();
            boolean ok = switch (c.op()) {
                case "=" -> actual.equals(expected);
                case "!=" -> !actual.equals(expected);
                case "LIKE" -> like(expected, false).matcher(actual).matches();
                case "ILIKE" -> like(expected, true).matcher(actual).matches();
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** MLflow's experiment filter: {@code name} and {@code tags.<key>} with =, !=, LIKE, ILIKE. */
    public static List<Comparison> experimentFilter(String mlflowFilter) {
        List<Comparison> comparisons = parse(mlflowFilter);
        for (Comparison c : comparisons) {
            boolean name = c.entity().equals("attributes") && c.key().equals("name");
            if (!name && !c.entity().equals("tags")) {
                throw unsupported(c.entity().equals("attributes") ? c.key() : c.entity() + "." + c.key(),
                        "experiments are filtered on name and tags.<key>");
            }
            requireOps(c, "=", "!=", "LIKE", "ILIKE");
            asStrings(c);
        }
        return comparisons;
    }

    static Pattern like(String pattern, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '%') {
                regex.append(".*");
            } else if (ch == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    }

    // ---- parsing

    /** The comparisons of an MLflow filter (joined by AND); empty for a blank filter. */
    public static List<Comparison> parse(String filter) {
        List<Comparison> comparisons = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return comparisons;
        }
        Lexer lexer = new Lexer(filter);
        while (true) {
            comparisons.add(lexer.comparison());
            lexer.skipSpace();
            int at = lexer.pos;
            String word = lexer.word();
            if (word == null) {
                lexer.end();
                return comparisons;
            }
            if (!word.equalsIgnoreCase("AND")) {
                lexer.pos = at;
                throw lexer.error("expected AND (MLflow's filter joins comparisons with AND only), found '" + word + "'");
            }
        }
    }

    private record Identifier(String entity, String key) {
    }

    private static final class Lexer {
        private final String text;
        private int pos;

        Lexer(String text) {
            this.text = text;
        }

        MlflowException error(String message) {
            return MlflowException.invalid("Invalid filter '" + text + "': " + message + " at column " + (pos + 1));
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        void end() {
            skipSpace();
            if (pos < text.length()) {
                throw error("unexpected '" + text.substring(pos, Math.min(text.length(), pos + 20)) + "'");
            }
        }

        /** A bare word of letters, digits and _ (a keyword), or null at the end. */
        String word() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (start == pos) {
                if (pos < text.length()) {
                    throw error("unexpected '" + text.charAt(pos) + "'");
                }
                return null;
            }
            return text.substring(start, pos);
        }

        private static boolean bareKeyChar(char ch) {
            return Character.isLetterOrDigit(ch) || ch == '_' || ch == '.' || ch == '-' || ch == '/' || ch == ':';
        }

        Identifier identifier() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<name>");
            }
            char first = text.charAt(pos);
            if (first == '`' || first == '"') {
                // A quoted attribute name, e.g. "run_name".
                return new Identifier("attributes", quoted(first));
            }
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String head = text.substring(start, pos);
            if (head.isEmpty()) {
                throw error("expected an identifier, found '" + first + "'");
            }
            if (pos >= text.length() || text.charAt(pos) != '.') {
                return new Identifier("attributes", head);
            }
            String entity = ENTITIES.get(head.toLowerCase(Locale.ROOT));
            if (entity == null) {
                pos = start;
                throw error("unknown entity '" + head + "' (expected params, metrics, tags or attributes)");
            }
            pos++; // the dot
            if (pos < text.length() && (text.charAt(pos) == '`' || text.charAt(pos) == '"')) {
                return new Identifier(entity, quoted(text.charAt(pos)));
            }
            int keyStart = pos;
            while (pos < text.length() && bareKeyChar(text.charAt(pos))) {
                pos++;
            }
            if (keyStart == pos) {
                throw error("expected a key after '" + head + ".'");
            }
            return new Identifier(entity, text.substring(keyStart, pos));
        }

        /** A quoted text; the quote doubled inside stands for itself. */
        String quoted(char quote) {
            int start = pos;
            pos++;
            StringBuilder value = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    pos = start;
                    throw error("unterminated " + quote + "...");
                }
                char ch = text.charAt(pos++);
                if (ch == quote) {
                    if (pos < text.length() && text.charAt(pos) == quote) {
                        value.append(quote);
                        pos++;
                        continue;
                    }
                    return value.toString();
                }
                if (ch == '\\' && quote != '`' && pos < text.length()
                        && (text.charAt(pos) == quote || text.charAt(pos) == '\\')) {
                    value.append(text.charAt(pos++));
                    continue;
                }
                value.append(ch);
            }
        }

        String operator() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("expected a comparison operator");
            }
            for (String symbol : new String[] {"!=", "<>", "<=", ">=", "=", "<", ">"}) {
                if (text.startsWith(symbol, pos)) {
                    pos += symbol.length();
                    return symbol.equals("<>") ? "!=" : symbol;
                }
            }
            int at = pos;
            String word = word();
            String upper = word == null ? "" : word.toUpperCase(Locale.ROOT);
            switch (upper) {
                case "LIKE", "ILIKE", "IN" -> {
                    return upper;
                }
                case "NOT" -> {
                    String next = word();
                    String nextUpper = next == null ? "" : next.toUpperCase(Locale.ROOT);
                    if (nextUpper.equals("IN") || nextUpper.equals("LIKE") || nextUpper.equals("ILIKE")) {
                        return "NOT " + nextUpper;
                    }
                    throw error("expected IN, LIKE or ILIKE after NOT");
                }
                case "IS" -> {
                    String next = word();
                    String nextUpper = next == null ? "" : next.toUpperCase(Locale.ROOT);
                    if (nextUpper.equals("NULL")) {
                        return "IS NULL";
                    }
                    if (nextUpper.equals("NOT") && "NULL".equalsIgnoreCase(word())) {
                        return "IS NOT NULL";
                    }
                    throw error("expected NULL or NOT NULL after IS");
                }
                default -> {
                    pos = at;
                    throw error("expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)");
                }
            }
        }

        Literal literal() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("expected a value");
            }
            char ch = text.charAt(pos);
            if (ch == '\'' || ch == '"') {
                return new Literal(true, quoted(ch));
            }
            int start = pos;
            while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && text.charAt(pos) != ','
                    && text.charAt(pos) != ')') {
                pos++;
            }
            String token = text.substring(start, pos);
            if (!NUMBER.matcher(token).matches()) {
                pos = start;
                throw error("expected a quoted string or a number, found '" + token + "'");
            }
            return new Literal(false, token);
        }

        Comparison comparison() {
            Identifier id = identifier();
            String op = operator();
            List<Literal> values = new ArrayList<>();
            if (op.endsWith("IN")) {
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) != '(') {
                    throw error("expected '(' after " + op);
                }
                pos++;
                while (true) {
                    values.add(literal());
                    skipSpace();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    if (pos < text.length() && text.charAt(pos) == ')') {
                        pos++;
                        break;
                    }
                    throw error("expected ',' or ')'");
                }
            } else if (!op.startsWith("IS")) {
                values.add(literal());
            }
            return new Comparison(id.entity(), id.key(), op, values);
        }
    }

    // ---- writing Labbook's syntax

    static String quoteKey(String key) {
        return "`" + key.replace("`", "``") + "`";
    }

    static String quoteString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String literal(Literal value) {
        return value.string() ? quoteString(value.text()) : value.text();
    }

    private static String values(Comparison c) {
        if (c.op().startsWith("IS")) {
            return "";
        }
        if (c.op().endsWith("IN")) {
            List<String> items = new ArrayList<>();
            c.values().forEach(v -> items.add(literal(v)));
            return " (" + String.join(", ", items) + ")";
        }
        return " " + literal(c.values().get(0));
    }

    private static Comparison asStrings(Comparison c) {
        List<Literal> strings = new ArrayList<>();
        for (Literal value : c.values()) {
            strings.add(new Literal(true, value.text()));
        }
        return new Comparison(c.entity(), c.key(), c.op(), strings);
    }

    private static void requireNumbers(Comparison c) {
        for (Literal value : c.values()) {
            if (value.string()) {
                throw MlflowException.invalid("Invalid filter on " + name(c) + ": expected a number, found the string "
                        + quoteString(value.text()));
            }
        }
    }

    private static void requireOps(Comparison c, String... allowed) {
        for (String op : allowed) {
            if (op.equals(c.op())) {
                return;
            }
        }
        throw MlflowException.invalid("Invalid comparator '" + c.op() + "' for " + name(c) + ": expected one of "
                + String.join(", ", allowed));
    }

    private static String name(Comparison c) {
        return c.entity() + "." + c.key();
    }

    private static MlflowException unsupported(String what, String why) {
        return MlflowException.invalid("Unsupported search field '" + what + "': " + why);
    }
}
