package dev.labbook.sdk;

import dev.labbook.api.v1.GetSubmissionRequest;
import dev.labbook.api.v1.ListComputeTargetsRequest;
import dev.labbook.api.v1.SubmitEnvironment;
import dev.labbook.api.v1.SubmitResources;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.api.v1.SubmitSpec;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.runner.GitInfo;
import dev.labbook.sdk.internal.runner.LocalLauncher;
import dev.labbook.sdk.internal.submit.SourceSnapshot;
import io.grpc.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Submitting scripts as runs ({@link LabbookClient#submissions()}): Azure ML's
 * {@code experiment.submit(ScriptRunConfig)}. {@link #submit} creates the run QUEUED and returns
 * at once with a {@link SubmittedRun} to wait for or cancel; the script runs on this machine
 * (target {@value ScriptRunConfig#LOCAL}: a detached runner process, as {@code labbook run} runs
 * it) or as a Kubernetes Job of a server compute target. docs/submit.md describes the flow.
 */
public final class SubmitApi {
    /** The artifact path of the source snapshot, as every SDK uploads it. */
    public static final String SNAPSHOT_PATH = "snapshot/source.tar.gz";
    /** The tag naming where a submitted run runs. */
    public static final String TARGET_TAG = "labbook.compute_target";

    private final Channel channel;
    private final Calls calls;
    private final LabbookClient client;

    SubmitApi(Channel channel, Calls calls, LabbookClient client) {
        this.channel = channel;
        this.calls = calls;
        this.client = client;
    }

    private SubmitServiceGrpc.SubmitServiceBlockingStub stub() {
        return SubmitServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The server's compute targets, sorted by name ({@value ScriptRunConfig#LOCAL} is not one of
     * them); empty from a server without targets, or without SubmitService at all.
     */
    public List<ComputeTarget> listComputeTargets() {
        dev.labbook.api.v1.ListComputeTargetsResponse resp;
        try {
            resp = calls.idempotent(() -> stub().listComputeTargets(ListComputeTargetsRequest.getDefaultInstance()));
        } catch (LabbookException e) {
            if (e.code().equals("UNIMPLEMENTED")) {
                return List.of(); // a server older than SubmitService has no targets (as the Python SDK says)
            }
            throw e;
        }
        List<ComputeTarget> out = new ArrayList<>();
        for (var t : resp.getTargetsList()) {
            out.add(new ComputeTarget(t.getName(), t.getKind() == dev.labbook.api.v1.ComputeTargetKind.COMPUTE_TARGET_KIND_KUBERNETES
                    ? "kubernetes" : t.getKind().name(), t.getNamespace(), t.getDefaultImage(), t.getMaxSnapshotBytes(),
                    t.getGpuResource(), t.getProjectsList()));
        }
        return List.copyOf(out);
    }

    /** The submission of a run to a server target ({@link NotFoundException}, SUBMISSION_NOT_FOUND, for others). */
    public Submission get(String runId) {
        var req = GetSubmissionRequest.newBuilder().setRunId(runId).build();
        return submission(calls.idempotent(() -> stub().getSubmission(req)).getSubmission());
    }

    /**
     * Submits {@code config} as a new run described by {@code run} (experiment, name, tags,
     * params, description; its source info is the script's): for a server target checks the
     * target (ListComputeTargets) and packs the source snapshot, then creates the run QUEUED (tag
     * {@value #TARGET_TAG}), then either starts the local runner or uploads the snapshot and calls
     * SubmitRun. Returns at once. When anything fails after the run was created, the
     * QUEUED run is canceled before the error is thrown: no run stays QUEUED forever.
     *
     * @throws FailedPreconditionException reason COMPUTE_TARGET_UNKNOWN: the server has no such
     *     target, or it is closed to the run's project (checked before any run is created)
     * @throws ResourceExhaustedException reason LIMIT_EXCEEDED: the snapshot is larger than the
     *     target's {@link ComputeTarget#maxSnapshotBytes()} (checked before any run is created)
     * @throws IllegalArgumentException a source directory or script that does not exist, an
     *     image, pip requirements or resources for the local target, GPUs from a target without
     *     them
     */
    public SubmittedRun submit(NewRun run, ScriptRunConfig config) {
        Path dir = config.sourceDirectory().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("sourceDirectory: " + dir + " is not a directory");
        }
        Path script = dir.resolve(config.script()).normalize();
        if (!script.startsWith(dir) || !Files.isRegularFile(script)) {
            throw new IllegalArgumentException("script: " + config.script() + " is not a file in " + dir);
        }
        ComputeTarget target = null;
        Path snapshot = null;
        if (config.isLocal()) {
            refuseServerOnlySettings(config);
        } else {
            target = target(config.computeTarget(), run.project().isEmpty() ? "default" : run.project());
            if (config.resources().gpu() > 0 && target.gpuResource().isEmpty()) {
                throw new IllegalArgumentException("resources.gpu: compute target " + target.name() + " has no GPUs");
            }
            // packed (and refused when too large) before the run exists: nothing to clean up then
            snapshot = snapshot(dir, target);
        }
        GitInfo git = GitInfo.of(dir).orElse(new GitInfo("", false));
        SourceInfo source = new SourceInfo(config.script(), config.arguments(), git.commit(), git.dirty(), hostName(),
                dir.toString());
        Map<String, String> tags = new LinkedHashMap<>(run.tags());
        tags.put(TARGET_TAG, config.computeTarget());
        try {
            RunInfo created = client.runs().create(run.withSource(source).withTags(tags), true);
            try {
                return config.isLocal() ? startLocal(created, config, dir)
                        : submitToServer(created, config, snapshot, target);
            } catch (RuntimeException | Error e) {
                cancelQuietly(created, e);
                throw e;
            }
        } finally {
            deleteQuietly(snapshot);
        }
    }

    /** The snapshot of {@code dir} in a temporary file, refused above the target's limit. */
    private static Path snapshot(Path dir, ComputeTarget target) {
        Path file = null;
        try {
            file = Files.createTempFile("labbook-snapshot-", ".tar.gz");
            SourceSnapshot.write(dir, file, target.maxSnapshotBytes());
            return file;
        } catch (SourceSnapshot.SnapshotTooLargeException e) {
            deleteQuietly(file);
            throw new ResourceExhaustedException("sourceDirectory: " + e.getMessage() + " (compute target "
                    + target.name() + ")", e, new ErrorInfo(ErrorReason.LIMIT_EXCEEDED, Map.of("field",
                            "source_directory", "max_snapshot_bytes", Long.toString(target.maxSnapshotBytes()))));
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot pack " + dir + ": " + e.getMessage(), e);
        }
    }

    private ComputeTarget target(String name, String project) {
        List<ComputeTarget> targets = listComputeTargets();
        for (ComputeTarget t : targets) {
            if (t.name().equals(name)) {
                if (!t.projects().isEmpty() && !t.projects().contains(project)) {
                    throw new FailedPreconditionException("computeTarget: " + name + " is open to projects "
                            + String.join(", ", t.projects()) + " only, not to " + project, null,
                            new ErrorInfo(ErrorReason.COMPUTE_TARGET_UNKNOWN, Map.of("field", "compute_target")));
                }
                return t;
            }
        }
        List<String> names = new ArrayList<>(targets.stream().map(ComputeTarget::name).toList());
        names.add(ScriptRunConfig.LOCAL + " (this machine)");
        throw new FailedPreconditionException("computeTarget: the server has no compute target \"" + name
                + "\"; known targets: " + String.join(", ", names), null,
                new ErrorInfo(ErrorReason.COMPUTE_TARGET_UNKNOWN, Map.of("field", "compute_target")));
    }

    private static void refuseServerOnlySettings(ScriptRunConfig config) {
        if (!config.environment().image().isEmpty() || !config.environment().pipRequirements().isEmpty()) {
            throw new IllegalArgumentException("environment: an image and pip requirements apply to server targets; "
                    + "a local script runs with this machine's interpreters");
        }
        if (!config.resources().equals(ScriptRunConfig.Resources.NONE)) {
            throw new IllegalArgumentException("resources: CPU, memory and GPUs are requested from server targets, "
                    + "not from the local one");
        }
    }

    private SubmittedRun startLocal(RunInfo run, ScriptRunConfig config, Path dir) {
        ExperimentInfo experiment = client.experiments().get(run.experimentId());
        Map<String, String> env = new LinkedHashMap<>(config.environment().variables());
        env.put("LABBOOK_TRACKING_URI", client.target().toString());
        env.put("LABBOOK_PROJECT", experiment.project());
        env.put("LABBOOK_EXPERIMENT", experiment.name());
        env.put("LABBOOK_RUN_ID", run.id());
        env.put("LABBOOK_RUN_NAME", run.name());
        if (client.options().token() != null) {
            env.put("LABBOOK_TOKEN", client.options().token()); // given in code: the runner cannot find it
        }
        try {
            Path log = Files.createTempFile("labbook-runner-" + run.id() + "-", ".log");
            LocalLauncher.Started started = LocalLauncher.start(dir,
                    LocalLauncher.scriptCommand(dir, config.script(), config.arguments()), env, log);
            // A runner that dies before starting the run (a class path without this SDK, a JVM
            // that cannot start) would leave it QUEUED forever: while this JVM lives, it is canceled.
            started.process().onExit().thenRun(() -> cancelIfStillQueued(run));
            return new SubmittedRun(client, run, config.computeTarget(), null, started.log());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local runner: " + e.getMessage(), e);
        }
    }

    private SubmittedRun submitToServer(RunInfo run, ScriptRunConfig config, Path snapshot, ComputeTarget target) {
        client.artifacts().upload(run.id(), snapshot, SNAPSHOT_PATH,
                new UploadOptions(Direction.INPUT, "application/gzip", null, null), null);
        ScriptRunConfig.Environment env = config.environment();
        SubmitSpec spec = SubmitSpec.newBuilder().setComputeTarget(target.name()).setScript(config.script())
                .addAllArguments(config.arguments()).setSnapshotPath(SNAPSHOT_PATH)
                .setEnvironment(SubmitEnvironment.newBuilder().setImage(env.image())
                        .addAllPipRequirements(env.pipRequirements()).putAllVariables(env.variables()))
                .setResources(SubmitResources.newBuilder().setCpu(config.resources().cpu())
                        .setMemory(config.resources().memory()).setGpu(config.resources().gpu()))
                .build();
        SubmitRunRequest req = SubmitRunRequest.newBuilder().setRunId(run.id()).setSpec(spec).build();
        // safe to retry: the server returns the recorded submission for a run submitted to the same target
        var resp = calls.idempotent(() -> stub().submitRun(req));
        RunInfo queued = resp.getRun().getId().isEmpty() ? run : dev.labbook.sdk.internal.Protos.run(resp.getRun());
        return new SubmittedRun(client, queued, target.name(), submission(resp.getSubmission()), null);
    }

    private void cancelIfStillQueued(RunInfo run) {
        try {
            if (client.runs().get(run.id()).status() == RunStatus.QUEUED) {
                client.runs().cancel(run.id());
            }
        } catch (RuntimeException e) {
            // the client is closed or the server gone: nothing more this process can do
        }
    }

    private void cancelQuietly(RunInfo run, Throwable cause) {
        try {
            client.runs().cancel(run.id());
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    static Submission submission(dev.labbook.api.v1.Submission s) {
        return new Submission(s.getRunId(), s.getSpec().getComputeTarget(), s.getNamespace(), s.getJobName(),
                s.getPodName(), s.getState(), s.getMessage(), s.getCreateTimeMs(), s.getUpdateTimeMs());
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
