package dev.labbook.sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ML-Dash's {@code run.metric("loss")}: {@code run.metric("loss").append(0.5, 1)} is a point of
 * the series {@code loss} at step 1 (the epoch is the step). With a map of fields, as ML-Dash's
 * {@code append(value=0.5, epoch=1, acc=0.9, phase="val")}: {@code value} is a point of
 * {@code loss} at {@code step}, else at {@code epoch}, else at the series' next step; every other
 * number {@code f} is a point of the series {@code loss/f} at the same step (with both step and
 * epoch, the epoch too); fields that are not numbers go, with the step, into a row of the table
 * {@code loss/fields}. The same rules as the Python SDK (docs/python-sdk.md).
 */
public final class RunMetric {
    private final Run run;
    private final String name;

    RunMetric(Run run, String name) {
        this.run = run;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** A point at the series' next step. */
    public RunMetric append(double value) {
        run.logMetric(name, value);
        return this;
    }

    /** A point at step {@code epoch} (ML-Dash's {@code append(value=..., epoch=...)}). */
    public RunMetric append(double value, long epoch) {
        run.logMetric(name, value, epoch);
        return this;
    }

    /** One append of several fields (see the class comment); {@code value} may be absent. */
    public RunMetric append(Map<String, ?> fields) {
        Map<String, Object> rest = new LinkedHashMap<>(fields);
        Object value = rest.remove("value");
        Long step = asStep(rest.remove("step"), "step");
        Long epoch = asStep(rest.remove("epoch"), "epoch");
        if (step == null) {
            step = epoch;
        } else if (epoch != null) {
            rest.put("epoch", epoch);
        }
        if (value == null && rest.isEmpty()) {
            throw new IllegalArgumentException("metric(" + name + ").append needs a value or other fields");
        }
        Map<String, Double> points = new LinkedHashMap<>();
        if (value != null) {
            points.put(name, number(value, "value"));
        }
        Map<String, Object> other = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : rest.entrySet()) {
            if (e.getValue() instanceof Number n) {
                points.put(name + "/" + e.getKey(), n.doubleValue());
            } else {
                other.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Double> p : points.entrySet()) {
            if (step == null) {
                run.logMetric(p.getKey(), p.getValue());
            } else {
                run.logMetric(p.getKey(), p.getValue(), step);
            }
        }
        if (!other.isEmpty()) {
            if (step != null) {
                other.put("step", step);
            }
            run.logRow(name + "/fields", other);
        }
        return this;
    }

    /** {@link #append(Map)} for each map, in order. */
    public RunMetric appendBatch(List<? extends Map<String, ?>> items) {
        for (Map<String, ?> item : items) {
            append(item);
        }
        return this;
    }

    /** The series' points (as {@link Run#getMetricHistory(String)}). */
    public MetricSeries read() {
        return run.getMetricHistory(name);
    }

    private Long asStep(Object v, String field) {
        if (v == null) {
            return null;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw new IllegalArgumentException("metric(" + name + ").append: " + field + " must be a whole number, got " + v);
    }

    private double number(Object v, String field) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("metric(" + name + ").append: " + field + " must be a number, got " + v);
    }
}
