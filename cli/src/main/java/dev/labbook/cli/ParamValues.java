package dev.labbook.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Types {@code --param k=v} values as a user would expect: integers, decimals (also 1e-3, nan,
 * inf), true/false, else the string as given. Quote-free: {@code --param name=007} is the int 7,
 * so write strings that look like numbers with a leading {@code s:} ({@code --param name=s:007}).
 */
final class ParamValues {
    private static final Pattern INT = Pattern.compile("[+-]?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile(
            "[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(inf|infinity|nan)", Pattern.CASE_INSENSITIVE);

    private ParamValues() {
    }

    static Map<String, Object> typed(Map<String, String> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, typed(v)));
        return out;
    }

    static Object typed(String v) {
        if (v.startsWith("s:")) {
            return v.substring(2);
        }
        if (INT.matcher(v).matches()) {
            return Long.parseLong(v);
        }
        if (DECIMAL.matcher(v).matches()) {
            String lower = v.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("nan")) {
                return Double.NaN;
            }
            if (lower.contains("inf")) {
                return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return Double.parseDouble(v);
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }
}
