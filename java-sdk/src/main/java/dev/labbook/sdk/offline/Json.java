package dev.labbook.sdk.offline;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/** JSON helpers of the offline format: non-finite doubles travel as "NaN", "Infinity", "-Infinity". */
final class Json {
    private Json() {
    }

    static JsonElement number(double v) {
        if (Double.isNaN(v)) {
            return new JsonPrimitive("NaN");
        }
        if (Double.isInfinite(v)) {
            return new JsonPrimitive(v > 0 ? "Infinity" : "-Infinity");
        }
        return new JsonPrimitive(v);
    }

    /** A number where one is expected: a JSON number or one of the three non-finite strings. */
    static double toDouble(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return switch (e.getAsString()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("not a number: " + e);
            };
        }
        return e.getAsDouble();
    }

    static boolean isNumberLike(JsonElement e) {
        if (!e.isJsonPrimitive()) {
            return false;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isNumber()) {
            return true;
        }
        if (p.isString()) {
            String s = p.getAsString();
            return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity");
        }
        return false;
    }

    /** A cell value: numbers (and the non-finite strings) or strings. */
    static JsonElement cell(Object v) {
        if (v instanceof Number n) {
            return number(n.doubleValue());
        }
        return new JsonPrimitive(String.valueOf(v));
    }

    static JsonArray strings(Iterable<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private static final com.google.gson.Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping()
            .serializeNulls().create();

    /** One line: compact JSON without HTML escaping, newline-terminated by the caller. */
    static String line(JsonObject o) {
        return GSON.toJson(o);
    }
}
