package dev.labbook.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ML-Dash's {@code run.parameters()}: {@code run.parameters().set(Map.of("lr", 0.001))}. Nested
 * maps become dotted keys ({@code model -> {depth -> 50}} is {@code model.depth}); a key set
 * again is overwritten. Calls {@link Run#logParams(Map)}.
 */
public final class RunParameters {
    private final Run run;

    RunParameters(Run run) {
        this.run = run;
    }

    /** Logs the params (nested maps flattened at dots); returns this, to chain. */
    public RunParameters set(Map<String, ?> params) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", params, flat);
        run.logParams(flat);
        return this;
    }

    /** One param. */
    public RunParameters set(String key, Object value) {
        return set(Map.of(key, value));
    }

    /** The run's params as stored (dotted keys). */
    public Map<String, Object> get() {
        return run.getParams();
    }

    static void flatten(String prefix, Map<String, ?> params, Map<String, Object> out) {
        for (Map.Entry<String, ?> e : params.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> nested) {
                Map<String, Object> typed = new LinkedHashMap<>();
                nested.forEach((k, v) -> typed.put(String.valueOf(k), v));
                flatten(prefix + e.getKey() + ".", typed, out);
            } else {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
    }
}
