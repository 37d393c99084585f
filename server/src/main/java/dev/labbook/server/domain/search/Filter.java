package dev.labbook.server.domain.search;

import java.util.List;

/**
 * The typed syntax tree of a search filter. Predicates are already type-checked by the parser:
 * a metric is compared with numbers, a status with a known status, a time with a time.
 *
 * <p>Semantics (two-valued): a predicate on a param, metric or tag is true only when the run has
 * the key and the value satisfies it; {@code NOT} negates the whole predicate, so
 * {@code NOT params.lr < 0.1} also matches runs without {@code lr}.
 */
public sealed interface Filter {

    record And(List<Filter> terms) implements Filter {
        public And {
            terms = List.copyOf(terms);
        }
    }

    record Or(List<Filter> terms) implements Filter {
        public Or {
            terms = List.copyOf(terms);
        }
    }

    record Not(Filter term) implements Filter {
    }

    /** {@code field op value}. */
    record Comparison(SearchField field, Operator op, Literal value) implements Filter {
    }

    /** {@code field [NOT] IN (v1, v2, ...)}. */
    record In(SearchField field, List<Literal> values, boolean negated) implements Filter {
        public In {
            values = List.copyOf(values);
        }
    }

    /** {@code field [NOT] LIKE|ILIKE 'pattern'}: % any run of characters, _ one, \ escapes. */
    record Like(SearchField field, String pattern, boolean caseInsensitive, boolean negated) implements Filter {
    }

    /** {@code field IS [NOT] NULL}: whether the run has no value for the field. */
    record IsNull(SearchField field, boolean negated) implements Filter {
    }

    enum Operator {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        static Operator of(String symbol) {
            for (Operator op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(symbol);
        }

        boolean isEquality() {
            return this == EQ || this == NE;
        }
    }

    /** A constant of the filter. Times are {@link Number}s of epoch milliseconds. */
    sealed interface Literal {
    }

    record Number(double value) implements Literal {
    }

    record Text(String value) implements Literal {
    }

    record Bool(boolean value) implements Literal {
    }
}
