package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.ComputeTargetKind;
import dev.labbook.api.v1.ListComputeTargetsRequest;
import dev.labbook.api.v1.ListComputeTargetsResponse;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitRunResponse;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submissions to a server target, the SDK's side: a real server for runs and artifacts, and in
 * front of it (FaultProxy) a stand-in for its SubmitService that lists one target {@code gpu} and
 * records or refuses SubmitRun, until the server's own SubmitService can be configured with
 * targets here. What is asserted is what the SDK sends and leaves behind: the order of the calls,
 * the spec, the snapshot artifact, and no QUEUED run after a failure.
 */
@ExtendWith(LabbookServerExtension.class)
class SubmitServerTargetIT {
    @TempDir
    Path source;
    private final StandIn standIn = new StandIn();
    private FaultProxy proxy;
    private Labbook labbook;
    private LabbookClient client;

    /** One target {@code gpu} (no GPUs, {@link #maxSnapshotBytes}); SubmitRun answered with {@link #refusal} or a Job. */
    static final class StandIn extends SubmitServiceGrpc.SubmitServiceImplBase {
        volatile long maxSnapshotBytes = 1_000_000;
        volatile Status refusal;
        final List<SubmitRunRequest> submitted = new CopyOnWriteArrayList<>();

        @Override
        public void listComputeTargets(ListComputeTargetsRequest request,
                StreamObserver<ListComputeTargetsResponse> out) {
            out.onNext(ListComputeTargetsResponse.newBuilder().addTargets(dev.labbook.api.v1.ComputeTarget.newBuilder()
                    .setName("gpu").setKind(ComputeTargetKind.COMPUTE_TARGET_KIND_KUBERNETES).setNamespace("training")
                    .setDefaultImage("labbook-runner:1").setMaxSnapshotBytes(maxSnapshotBytes)).build());
            out.onCompleted();
        }

        @Override
        public void submitRun(SubmitRunRequest request, StreamObserver<SubmitRunResponse> out) {
            submitted.add(request);
            if (refusal != null) {
                out.onError(refusal.asRuntimeException());
                return;
            }
            out.onNext(SubmitRunResponse.newBuilder().setSubmission(dev.labbook.api.v1.Submission.newBuilder()
                    .setRunId(request.getRunId()).setSpec(request.getSpec()).setNamespace("training")
                    .setJobName("labbook-" + request.getRunId()).setState("pending")).build());
            out.onCompleted();
        }
    }

    @BeforeEach
    void connect(TestServer server) throws Exception {
        proxy = new FaultProxy(server.target(), standIn);
        labbook = Labbook.connect(proxy.target());
        client = labbook.client();
        Files.writeString(source.resolve("train.py"), "print('hi')\n");
        Files.writeString(source.resolve(".gitignore"), "*.ckpt\n");
        Files.writeString(source.resolve("old.ckpt"), "weights");
        Files.createDirectories(source.resolve(".git")).resolve("HEAD").toFile().createNewFile();
    }

    @AfterEach
    void close() throws Exception {
        labbook.close();
        proxy.close();
    }

    @Test
    void theSnapshotIsUploadedAsAnInputArtifactThenTheSpecIsSubmitted() throws Exception {
        ScriptRunConfig config = ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .arguments("--lr", "0.1", "").computeTarget("gpu").image("python:3.12").pipRequirement("numpy==2.1")
                .variable("MODE", "fast").resources("2", "4Gi", 0).build();
        SubmittedRun run = labbook.experiment("to-gpu").submit(config);

        assertThat(run.computeTarget()).isEqualTo("gpu");
        assertThat(run.submission()).get().extracting(Submission::jobName).isEqualTo("labbook-" + run.id());
        List<String> calls = proxy.outcomes().stream().map(FaultProxy.Outcome::method).toList();
        int upload = calls.indexOf(calls.stream().filter(m -> m.startsWith("UploadArtifact")).findFirst().orElseThrow());
        assertThat(calls.indexOf("CreateRun")).as(calls.toString()).isBetween(0, upload - 1);
        assertThat(standIn.submitted).hasSize(1);
        var spec = standIn.submitted.get(0).getSpec();
        assertThat(standIn.submitted.get(0).getRunId()).isEqualTo(run.id());
        assertThat(spec.getComputeTarget()).isEqualTo("gpu");
        assertThat(spec.getScript()).isEqualTo("train.py");
        assertThat(spec.getArgumentsList()).containsExactly("--lr", "0.1", "");
        assertThat(spec.getSnapshotPath()).isEqualTo("snapshot/source.tar.gz");
        assertThat(spec.getEnvironment().getImage()).isEqualTo("python:3.12");
        assertThat(spec.getEnvironment().getPipRequirementsList()).containsExactly("numpy==2.1");
        assertThat(spec.getEnvironment().getVariablesMap()).containsExactly(Map.entry("MODE", "fast"));
        assertThat(spec.getResources().getCpu()).isEqualTo("2");
        assertThat(spec.getResources().getMemory()).isEqualTo("4Gi");

        RunInfo stored = client.runs().get(run.id());
        assertThat(stored.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(stored.tags()).containsEntry("labbook.compute_target", "gpu");
        assertThat(stored.source().args()).containsExactly("--lr", "0.1", "");
        Artifact snapshot = client.artifacts().get(run.id(), "snapshot/source.tar.gz");
        assertThat(snapshot.direction()).isEqualTo(Direction.INPUT);
        assertThat(snapshot.sha256()).isNotEmpty();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        client.artifacts().download(run.id(), "snapshot/source.tar.gz", bytes, 0, null);
        assertThat(names(bytes.toByteArray())).containsExactly(".gitignore", "train.py");
        run.cancel();
    }

    @Test
    void aRefusedSubmissionCancelsItsQueuedRun() {
        standIn.refusal = Status.INVALID_ARGUMENT.withDescription("spec.resources.memory: not a quantity");
        Experiment experiment = labbook.experiment("refused");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("gpu").resources("", "lots", 0).build()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("spec.resources.memory");
        List<RunInfo> runs = experiment.runs();
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).status()).isEqualTo(RunStatus.CANCELED);
    }

    @Test
    void anOversizedSnapshotIsRefusedBeforeAnyRunOrUpload() throws Exception {
        byte[] noise = new byte[64 * 1024];
        new Random(7).nextBytes(noise);
        Files.write(source.resolve("data.bin"), noise);
        standIn.maxSnapshotBytes = 10_000;
        Experiment experiment = labbook.experiment("too-large");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("gpu").build()))
                .isInstanceOf(ResourceExhaustedException.class).hasMessageContaining("10000 bytes")
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.LIMIT_EXCEEDED));
        assertThat(experiment.runs()).isEmpty();
        assertThat(standIn.submitted).isEmpty();
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("gpu").resources("", "", 1).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no GPUs");
        assertThat(experiment.runs()).isEmpty();
    }

    private static List<String> names(byte[] tarGz) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(tarGz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
