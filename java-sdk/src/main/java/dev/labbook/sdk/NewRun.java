package dev.labbook.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to open with {@link RunsApi#open} (or create with {@link RunsApi#create}): a run by name in
 * an experiment given by id, or by project + name. Opening a name that exists resumes that run as
 * {@link #resume()} allows (default {@link Resume#ALLOW}); an experiment given by name is created
 * when missing unless {@link #withCreateExperimentIfMissing} says otherwise. Build with
 * {@link #in(String)} / {@link #inExperimentId(String)} and the {@code with...} methods.
 */
public record NewRun(String project, String experimentName, String experimentId, String name, String description,
        Map<String, String> tags, String parentRunId, SourceInfo source, Map<String, Object> params, Resume resume,
        boolean createExperimentIfMissing, Long startTimeMs) {

    /** Without a start time (the server's time is used). */
    public NewRun(String project, String experimentName, String experimentId, String name, String description,
            Map<String, String> tags, String parentRunId, SourceInfo source, Map<String, Object> params, Resume resume,
            boolean createExperimentIfMissing) {
        this(project, experimentName, experimentId, name, description, tags, parentRunId, source, params, resume,
                createExperimentIfMissing, null);
    }

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
        resume = resume == null ? Resume.ALLOW : resume;
    }

    /** A run in the experiment of this name in the {@code default} project (created when missing). */
    public static NewRun in(String experimentName) {
        return new NewRun("", experimentName, "", "", "", null, "", null, null, Resume.ALLOW, true);
    }

    public static NewRun inExperimentId(String experimentId) {
        return new NewRun("", "", experimentId, "", "", null, "", null, null, Resume.ALLOW, true);
    }

    public NewRun withProject(String p) {
        return new NewRun(p, experimentName, experimentId, name, description, tags, parentRunId, source, params,
                resume, createExperimentIfMissing, startTimeMs);
    }

    /** The run name; empty lets the server make one ({@code run-<12 hex>}), which always creates a run. */
    public NewRun withName(String n) {
        return new NewRun(project, experimentName, experimentId, n, description, tags, parentRunId, source, params,
                resume, createExperimentIfMissing, startTimeMs);
    }

    public NewRun withDescription(String d) {
        return new NewRun(project, experimentName, experimentId, name, d, tags, parentRunId, source, params, resume,
                createExperimentIfMissing, startTimeMs);
    }

    public NewRun withTags(Map<String, String> t) {
        return new NewRun(project, experimentName, experimentId, name, description, t, parentRunId, source, params,
                resume, createExperimentIfMissing, startTimeMs);
    }

    public NewRun withParent(String runId) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, runId, source, params,
                resume, createExperimentIfMissing, startTimeMs);
    }

    public NewRun withSource(SourceInfo s) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, s, params,
                resume, createExperimentIfMissing, startTimeMs);
    }

    public NewRun withParams(Map<String, ?> p) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, source,
                new LinkedHashMap<>(p), resume, createExperimentIfMissing, startTimeMs);
    }

    /** Whether an existing run of the name may be resumed ({@link Resume#ALLOW}), must be, or must not be. */
    public NewRun withResume(Resume r) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, source, params,
                r, createExperimentIfMissing, startTimeMs);
    }

    /** False: an experiment named but missing fails with {@link NotFoundException} instead of being created. */
    public NewRun withCreateExperimentIfMissing(boolean create) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, source, params,
                resume, create, startTimeMs);
    }

    /**
     * The start time of a run that {@link RunsApi#open} creates (epoch ms; null: the server's
     * time), e.g. an offline run's real start. Ignored when an existing run is resumed; the
     * server refuses a time before 1970 or in the future.
     */
    public NewRun withStartTimeMs(Long ms) {
        return new NewRun(project, experimentName, experimentId, name, description, tags, parentRunId, source, params,
                resume, createExperimentIfMissing, ms);
    }
}
