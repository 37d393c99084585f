package dev.labbook.sdk;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An experiment by project and name, for opening runs in it (created on first use). */
public final class Experiment {
    private final Labbook labbook;
    private final String project;
    private final String name;

    Experiment(Labbook labbook, String project, String name) {
        this.labbook = labbook;
        this.project = project;
        this.name = name;
    }

    public String project() {
        return project;
    }

    public String name() {
        return name;
    }

    /** The stored experiment (created when missing). */
    public ExperimentInfo info() {
        return labbook.client().experiments().getOrCreate(project, name);
    }

    /**
     * The experiment's runs table in the web UI, {@code <public_url>/experiments/<id>/runs};
     * empty offline and when the server has no UI (see {@link Run#getPortalUrl()}). Creates the
     * experiment when missing, as {@link #info()} does.
     */
    public Optional<String> getPortalUrl() {
        if (labbook.isOffline()) {
            return Optional.empty();
        }
        ServerInfo server = labbook.client().server().info();
        return server.publicUrl().isEmpty() ? Optional.empty() : server.experimentUrl(info().id());
    }

    /** Opens the run of this name, or resumes it when it exists; the name may be empty (server-made). */
    public Run startRun(String runName) {
        return startRun(runName, Map.of());
    }

    public Run startRun(String runName, Map<String, ?> params) {
        return labbook.startRun(NewRun.in(name).withProject(project).withName(runName).withParams(params)
                .withSource(SourceInfo.detect()));
    }

    /**
     * Opens the run of this name as {@code resume} says: {@link Resume#NEVER} fails with
     * {@link AlreadyExistsException} when the name is taken (a rerun must not extend old series),
     * {@link Resume#MUST} with {@link NotFoundException} when it is not.
     */
    public Run startRun(String runName, Resume resume) {
        return labbook.startRun(NewRun.in(name).withProject(project).withName(runName).withResume(resume)
                .withSource(SourceInfo.detect()));
    }

    /**
     * An existing run of this experiment, found read-only and attached (SageMaker's
     * {@code load_run(experiment_name, run_name)}): log into it and read it; close() flushes but
     * sets no status (its owner does). Nothing is created: a missing experiment or run name fails
     * with {@link NotFoundException} (reason EXPERIMENT_NOT_FOUND or RUN_NOT_FOUND). To resume a
     * finished run for more work use {@code startRun(name, Resume.MUST)}. Online only.
     */
    public Run loadRun(String runName) {
        if (labbook.isOffline()) {
            throw new IllegalStateException("loadRun needs a server: an offline run is reopened with "
                    + "startRun(name, Resume.MUST)");
        }
        return labbook.attach(labbook.client().runs().getByName(project, name, runName).id());
    }

    /**
     * Opens or resumes with everything a {@link NewRun} can say (tags, parent, description,
     * resume policy...); its experiment is this one.
     */
    public Run startRun(NewRun spec) {
        return labbook.startRun(new NewRun(project, name, "", spec.name(), spec.description(), spec.tags(),
                spec.parentRunId(), spec.source(), spec.params(), spec.resume(), spec.createExperimentIfMissing(),
                spec.startTimeMs()));
    }

    /**
     * Submits a script as a new run of this experiment (Azure's {@code experiment.submit(config)}),
     * on this machine ({@link ScriptRunConfig#LOCAL}) or on a server compute target; returns at
     * once. Online only. See {@link SubmitApi#submit}.
     */
    public SubmittedRun submit(ScriptRunConfig config) {
        return submit(config, NewRun.in(name));
    }

    /**
     * As {@link #submit(ScriptRunConfig)}, the run named, tagged, described and with the params
     * of {@code run} (its experiment is this one; its source info is the script's).
     */
    public SubmittedRun submit(ScriptRunConfig config, NewRun run) {
        if (labbook.isOffline()) {
            throw new IllegalStateException("submit needs a server: an offline Labbook cannot run submissions");
        }
        return labbook.client().submissions().submit(new NewRun(project, name, "", run.name(), run.description(),
                run.tags(), run.parentRunId(), null, run.params(), Resume.NEVER, true), config);
    }

    /**
     * Runs of this experiment matching a filter (docs/search.md, e.g.
     * {@code params.lr < 0.01 AND metrics.val_acc >= 0.9}; empty for all), ordered by the terms
     * (e.g. {@code metrics.val_acc DESC}), with params, tags and metric summaries.
     */
    public List<RunInfo> searchRuns(String filter, String... orderBy) {
        return labbook.client().runs().searchAll(RunSearch.inExperiments(info().id()).filter(filter).orderBy(orderBy));
    }

    /** The best run by one order term (e.g. {@code metrics.val_loss ASC}), or null when there is none. */
    public RunInfo bestRun(String orderBy) {
        List<RunInfo> best = labbook.client().runs().searchAll(RunSearch.inExperiments(info().id())
                .orderBy(orderBy).maxResults(1));
        return best.isEmpty() ? null : best.get(0);
    }

    /** The experiment's runs, newest first (first page of up to 1000). */
    public List<RunInfo> runs() {
        return labbook.client().runs().list(info().id(), 1000, "").items();
    }
}
