package dev.labbook.server.domain;

/**
 * A typed parameter value. {@link #text()} is the canonical text of every type; it parses back
 * to the same value exactly (int64 and doubles included).
 */
public sealed interface ParamValue {
    String typeName();

    String text();

    /** The numeric value for int and double params, else null. */
    Double number();

    static ParamValue parse(String typeName, String text) {
        return switch (typeName) {
            case "string" -> new StringValue(text);
            case "int" -> new IntValue(Long.parseLong(text));
            case "double" -> new DoubleValue(Double.parseDouble(text));
            case "bool" -> new BoolValue(Boolean.parseBoolean(text));
            default -> throw new IllegalArgumentException("unknown param type " + typeName);
        };
    }

    record StringValue(String value) implements ParamValue {
        public String typeName() {
            return "string";
        }

        public String text() {
            return value;
        }

        public Double number() {
            return null;
        }
    }

    record IntValue(long value) implements ParamValue {
        public String typeName() {
            return "int";
        }

        public String text() {
            return Long.toString(value);
        }

        public Double number() {
            return (double) value;
        }
    }

    record DoubleValue(double value) implements ParamValue {
        public String typeName() {
            return "double";
        }

        public String text() {
            return Double.toString(value);
        }

        public Double number() {
            return value;
        }
    }

    record BoolValue(boolean value) implements ParamValue {
        public String typeName() {
            return "bool";
        }

        public String text() {
            return Boolean.toString(value);
        }

        public Double number() {
            return null;
        }
    }
}
