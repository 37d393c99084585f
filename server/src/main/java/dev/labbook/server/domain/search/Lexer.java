package dev.labbook.server.domain.search;

import dev.labbook.server.domain.search.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a filter or order-by expression into tokens. Only ASCII is syntax: any other character
 * outside quotes (a full-width quote, a non-breaking space, a Cyrillic letter posing as a Latin
 * one) is an error at its column, never silently read as something else. Inside 'strings' and
 * `keys` every character except NUL is taken literally; values are bound as SQL parameters, so
 * no character can end them early.
 */
final class Lexer {
    private final int[] chars;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String input) {
        this.chars = input.codePoints().toArray();
    }

    static List<Token> tokenize(String input) {
        Lexer lexer = new Lexer(input);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (true) {
            skipWhitespace();
            if (pos >= chars.length) {
                tokens.add(new Token(Kind.END, "", pos + 1));
                return;
            }
            int c = chars[pos];
            int column = pos + 1;
            if (c == 0) {
                throw new FilterSyntaxException(column, "NUL characters are not allowed");
            }
            if (afterDot() && isKeySegmentChar(c)) {
                // After a dot comes a key segment, which may start with a digit (params.2nd_lr).
                tokens.add(new Token(Kind.IDENTIFIER, take(Lexer::isKeySegmentChar), column));
            } else if (isIdentifierStart(c)) {
                tokens.add(new Token(Kind.IDENTIFIER, take(Lexer::isIdentifierPart), column));
            } else if (isDigit(c) || ((c == '-' || c == '+') && pos + 1 < chars.length && isDigit(chars[pos + 1]))) {
                tokens.add(number(column));
            } else if (c == '\'') {
                tokens.add(new Token(Kind.STRING, quoted('\'', "string"), column));
            } else if (c == '`') {
                String key = quoted('`', "backquoted key");
                if (key.isEmpty()) {
                    throw new FilterSyntaxException(column, "empty backquoted key");
                }
                tokens.add(new Token(Kind.QUOTED_KEY, key, column));
            } else if (c == '"') {
                throw new FilterSyntaxException(column,
                        "double quotes are not used; write strings in single quotes and keys in backquotes");
            } else {
                tokens.add(punctuation(c, column));
            }
        }
    }

    private Token punctuation(int c, int column) {
        pos++;
        return switch (c) {
            case '.' -> new Token(Kind.DOT, ".", column);
            case ',' -> new Token(Kind.COMMA, ",", column);
            case '(' -> new Token(Kind.LEFT_PAREN, "(", column);
            case ')' -> new Token(Kind.RIGHT_PAREN, ")", column);
            case '=' -> new Token(Kind.OPERATOR, "=", column);
            case '!' -> {
                if (peek('=')) {
                    pos++;
                    yield new Token(Kind.OPERATOR, "!=", column);
                }
                throw new FilterSyntaxException(column, "'!' must be followed by '='");
            }
            case '<' -> {
                if (peek('=')) {
                    pos++;
                    yield new Token(Kind.OPERATOR, "<=", column);
                }
                if (peek('>')) {
                    pos++;
                    yield new Token(Kind.OPERATOR, "!=", column);
                }
                yield new Token(Kind.OPERATOR, "<", column);
            }
            case '>' -> {
                if (peek('=')) {
                    pos++;
                    yield new Token(Kind.OPERATOR, ">=", column);
                }
                yield new Token(Kind.OPERATOR, ">", column);
            }
            default -> throw new FilterSyntaxException(column, "unexpected character " + describe(c));
        };
    }

    private Token number(int column) {
        int start = pos;
        if (chars[pos] == '-' || chars[pos] == '+') {
            pos++;
        }
        skipDigits();
        if (pos < chars.length && chars[pos] == '.') {
            pos++;
            if (pos >= chars.length || !isDigit(chars[pos])) {
                throw new FilterSyntaxException(pos + 1, "expected a digit after the decimal point");
            }
            skipDigits();
        }
        if (pos < chars.length && (chars[pos] == 'e' || chars[pos] == 'E')) {
            pos++;
            if (pos < chars.length && (chars[pos] == '+' || chars[pos] == '-')) {
                pos++;
            }
            if (pos >= chars.length || !isDigit(chars[pos])) {
                throw new FilterSyntaxException(pos + 1, "expected the exponent's digits");
            }
            skipDigits();
        }
        if (pos < chars.length && (isIdentifierPart(chars[pos]) || chars[pos] == '.')) {
            throw new FilterSyntaxException(pos + 1, "unexpected " + describe(chars[pos]) + " after a number");
        }
        return new Token(Kind.NUMBER, new String(chars, start, pos - start), column);
    }

    /** A quoted run of characters; the quote doubled stands for itself. */
    private String quoted(int quote, String what) {
        int openColumn = pos + 1;
        pos++;
        StringBuilder text = new StringBuilder();
        while (true) {
            if (pos >= chars.length) {
                throw new FilterSyntaxException(openColumn, "unterminated " + what + " (opened here)");
            }
            int c = chars[pos];
            if (c == 0) {
                throw new FilterSyntaxException(pos + 1, "NUL characters are not allowed");
            }
            pos++;
            if (c == quote) {
                if (peek(quote)) {
                    pos++;
                } else {
                    return text.toString();
                }
            }
            text.appendCodePoint(c);
        }
    }

    private boolean afterDot() {
        return !tokens.isEmpty() && tokens.get(tokens.size() - 1).kind() == Kind.DOT;
    }

    private String take(java.util.function.IntPredicate accept) {
        int start = pos;
        while (pos < chars.length && accept.test(chars[pos])) {
            pos++;
        }
        return new String(chars, start, pos - start);
    }

    private void skipDigits() {
        while (pos < chars.length && isDigit(chars[pos])) {
            pos++;
        }
    }

    private void skipWhitespace() {
        while (pos < chars.length && (chars[pos] == ' ' || chars[pos] == '\t' || chars[pos] == '\n'
                || chars[pos] == '\r')) {
            pos++;
        }
    }

    private boolean peek(int c) {
        return pos < chars.length && chars[pos] == c;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierStart(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(int c) {
        return isIdentifierStart(c) || isDigit(c);
    }

    /** Unquoted key segments may also hold '-', '/' and ':' (train/loss, val-acc); no arithmetic exists. */
    private static boolean isKeySegmentChar(int c) {
        return isIdentifierPart(c) || c == '-' || c == '/' || c == ':';
    }

    static String describe(int c) {
        String hex = String.format("U+%04X", c);
        if (c < 0x20 || c == 0x7f) {
            return hex;
        }
        return "'" + new String(Character.toChars(c)) + "' (" + hex + ")";
    }
}
