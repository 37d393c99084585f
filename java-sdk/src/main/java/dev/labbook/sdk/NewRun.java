package dev.labbook.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to open with {@link RunsApi#open}: a run by name in an experiment (given by id, or by
 * project + name, created when missing). Opening a name that exists resumes that run. Build with
 * {@link #in(String)} / {@link #inExperimentId(String)} and the {@code with...} methods.
 */
public record NewRun(String project, String experimentName, String experimentId, String name, String description,
        Map<String, String> tags, String parentRunId, SourceInfo source, Map<String, Object> params) {

    public NewRun {
        project = project == null ? "" : project;
        experimentName = experimentName == null ? "" : experimentName;
        experimentId = experimentId == null ? "" : experimentId;
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        parentRunId = parentRunId == null ? "" : parentRunId;
        source = source == null ? SourceInfo.EMPTY : source;
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** A run in the experiment of this name in the {@code default} project. */
    public static NewRun in(String experimentName) {
        return new NewRun("", experimentName, "", "", "", null, "", null, null);
    }

    public static NewRun inExperimentId(String experimentId) {
        return new NewRun("", "", experimentId, "", "", null, "", null, null);
    }

    public NewRun withProject(String p) {
        return new NewRun(p, experimentName, experimentId, name, description, tags, parentRunId, source, params);
    }

    /** The run name; empty lets the server make one ({@code run-<12 hex>}). */
    public NewRun withName(String n) {
        return new NewRun(project, experimentName, experimentId, n, description, tags, parentRunId, source, params);
    }

    public NewRun withDescription(String d) {
        return new NewRun(project, experimentName, experimentId, name, d, tags, parentRunId, source, params);
    }

    public NewRun withTags(Map<String, String> t) {
        return new NewRun(project, experimentName, experimentId, name, description, t, parentRunId, source, params);
    }

    public NewRun withParent(String runId) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, runId, source, params);
    }

    public NewRun withSource(SourceInfo s) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, s, params);
    }

    public NewRun withParams(Map<String, ?> p) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, source,
                new LinkedHashMap<>(p));
    }
}
