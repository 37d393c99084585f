package dev.labbook.server.domain.search;

/** One lexical token; {@code column} is 1-based (code points), {@code text} is the decoded value. */
record Token(Kind kind, String text, int column) {
    enum Kind {
        /** A bare word: a field prefix, attribute, keyword or key segment. */
        IDENTIFIER,
        /** A `backquoted` key, verbatim (`` stands for one backquote). */
        QUOTED_KEY,
        /** A 'single-quoted' string, verbatim ('' stands for one quote). */
        STRING,
        NUMBER,
        DOT,
        COMMA,
        LEFT_PAREN,
        RIGHT_PAREN,
        /** = != <> < <= > >= */
        OPERATOR,
        END
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(keyword);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case END -> "end of input";
            case STRING -> "string '" + abbreviate(text) + "'";
            case QUOTED_KEY -> "`" + abbreviate(text) + "`";
            default -> "'" + abbreviate(text) + "'";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
