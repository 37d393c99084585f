package dev.labbook.server.grpc;

import static dev.labbook.server.testing.ArtifactTransfers.content;
import static dev.labbook.server.testing.ArtifactTransfers.download;
import static dev.labbook.server.testing.ArtifactTransfers.sha256;
import static dev.labbook.server.testing.ArtifactTransfers.upload;
import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.Artifact;
import dev.labbook.api.v1.ArtifactKind;
import dev.labbook.api.v1.CreateArtifactReferenceRequest;
import dev.labbook.api.v1.DeleteArtifactRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.Direction;
import dev.labbook.api.v1.GetArtifactRequest;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.ListArtifactsResponse;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.GrpcAssertions;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LabbookServerExtension.class)
class ArtifactServiceIT {
    private static final int MIB = 1024 * 1024;

    private static UploadHeader header(String run, String path) {
        return UploadHeader.newBuilder().setRunId(run).setPath(path).build();
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    /** The files under {@code root}, none when it is gone; walked again when the purge deletes it meanwhile. */
    private static List<Path> filesLeft(Path root) throws Exception {
        while (true) {
            if (!Files.exists(root)) {
                return List.of();
            }
            try {
                return files(root);
            } catch (NoSuchFileException deletedWhileWalked) {
                Thread.sleep(10);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    @Test
    void uploadsVerifiesAndDownloadsAFileFromAnyOffset(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 3 * MIB + 12_345, 1);

        UploadArtifactResponse response = upload(server.channel(), header(run, "outputs/model.bin").toBuilder()
                .setSizeBytes(data.length).setSha256(sha256(data)).setDirection(Direction.DIRECTION_OUTPUT).build(),
                data, 64 * 1024, -1);

        Artifact artifact = response.getArtifact();
        assertThat(artifact.getSizeBytes()).isEqualTo(data.length);
        assertThat(artifact.getSha256()).isEqualTo(sha256(data));
        assertThat(artifact.getKind()).isEqualTo(ArtifactKind.ARTIFACT_KIND_FILE);
        assertThat(artifact.getMediaType()).isEqualTo("application/octet-stream");
        assertThat(download(server.channel(), run, "outputs/model.bin", 0, 0)).isEqualTo(data);
        assertThat(download(server.channel(), run, "outputs/model.bin", 1_000_000, 10))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 1_000_000, 1_000_010));
        assertThat(download(server.channel(), run, "outputs/model.bin", data.length, 0)).isEmpty();
        assertStatus(Code.OUT_OF_RANGE, () -> download(server.channel(), run, "outputs/model.bin", data.length + 1, 0));
        assertThat(server.artifacts().getArtifact(GetArtifactRequest.newBuilder().setRunId(run)
                .setPath("outputs/model.bin").build()).getArtifact()).isEqualTo(artifact);
    }

    @Test
    void aChecksumOrSizeMismatchStoresNothing(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 100_000, 2);

        assertInvalidField("header.sha256", () -> upload(server.channel(), header(run, "a.bin").toBuilder()
                .setSha256("0".repeat(64)).build(), data, 8192, -1));
        assertInvalidField("header.size_bytes", () -> upload(server.channel(), header(run, "b.bin").toBuilder()
                .setSizeBytes(data.length + 1).build(), data, 8192, -1));
        assertInvalidField("header.size_bytes", () -> upload(server.channel(), header(run, "c.bin").toBuilder()
                .setSizeBytes(10).build(), data, 8192, -1));

        assertThat(server.artifacts().listArtifacts(ListArtifactsRequest.newBuilder().setRunId(run).build())
                .getArtifactsList()).isEmpty();
        assertStatus(Code.NOT_FOUND, () -> server.artifacts().getArtifact(GetArtifactRequest.newBuilder()
                .setRunId(run).setPath("a.bin").build()));
        assertThat(files(server.artifactDir()).stream().filter(p -> p.toString().contains(run)).toList()).isEmpty();
    }

    @Test
    void anInterruptedUploadIsInvisibleAndResumesWhereItsStoredPartsEnd(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 26 * MIB + 777, 3);
        String uploadId = UUID.randomUUID().toString();
        UploadHeader first = header(run, "checkpoints/ckpt.pt").toBuilder().setUploadId(uploadId)
                .setSizeBytes(data.length).setSha256(sha256(data)).build();

        // 20 MiB sent: with the server's 8 MiB flow-control window, it has taken in at least
        // 12 MiB, so at least one 8 MiB part is stored when the stream breaks.
        assertThat(upload(server.channel(), first, data, MIB, 20L * MIB)).isNull();

        assertStatus(Code.NOT_FOUND, () -> server.artifacts().getArtifact(GetArtifactRequest.newBuilder()
                .setRunId(run).setPath("checkpoints/ckpt.pt").build()));
        long received = awaitReceived(server, run, uploadId, 8L * MIB);
        assertThat(received).isBetween(8L * MIB, 16L * MIB);
        assertThat(received % (8 * MIB)).as("ends at a stored part").isZero();
        // Resuming from anywhere else is refused with the offset to use.
        var wrong = assertStatus(Code.FAILED_PRECONDITION, () -> upload(server.channel(),
                first.toBuilder().setOffset(0).build(), data, MIB, -1));
        assertThat(wrong.getStatus().getDescription()).containsPattern("resume from offset \\d+");

        UploadArtifactResponse done = ArtifactTransfers.resume(server.channel(), first, data, MIB);

        assertThat(done.getArtifact().getSha256()).isEqualTo(sha256(data));
        assertThat(download(server.channel(), run, "checkpoints/ckpt.pt", 0, 0)).isEqualTo(data);
        var status = server.artifacts().getUploadStatus(GetUploadStatusRequest.newBuilder().setRunId(run)
                .setUploadId(uploadId).build());
        assertThat(status.getComplete()).isTrue();
        assertThat(status.getReceivedBytes()).isEqualTo(data.length);
    }

    private static long awaitReceived(TestServer server, String run, String uploadId, long atLeast) {
        long deadline = System.currentTimeMillis() + 30_000;
        long received = 0;
        while (System.currentTimeMillis() < deadline) {
            received = server.artifacts().getUploadStatus(GetUploadStatusRequest.newBuilder().setRunId(run)
                    .setUploadId(uploadId).build()).getReceivedBytes();
            if (received >= atLeast) {
                return received;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        return received;
    }

    @Test
    void reuploadingAPathReplacesItAndDeletesTheOldObject(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        byte[] v1 = content(0, 50_000, 4);
        byte[] v2 = content(0, 70_000, 5);
        upload(server.channel(), header(run, "report.html"), v1, 8192, -1);
        upload(server.channel(), header(run, "report.html"), v2, 8192, -1);

        assertThat(download(server.channel(), run, "report.html", 0, 0)).isEqualTo(v2);
        Artifact artifact = server.artifacts().getArtifact(GetArtifactRequest.newBuilder().setRunId(run)
                .setPath("report.html").build()).getArtifact();
        assertThat(artifact.getMediaType()).isEqualTo("text/html");
        assertThat(files(server.artifactDir().resolve("runs").resolve(run))).hasSize(1);
    }

    @Test
    void concurrentUploadsToOneRunAllLand(TestServer server) {
        String run = MetricServiceIT.run(server);
        List<CompletableFuture<UploadArtifactResponse>> uploads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] data = content(0, 200_000 + i, 10 + i);
            String path = "parallel/file-" + i;
            uploads.add(CompletableFuture.supplyAsync(() -> upload(server.channel(), header(run, path).toBuilder()
                    .setSha256(sha256(data)).build(), data, 16_384, -1)));
        }
        uploads.forEach(CompletableFuture::join);

        for (int i = 0; i < 8; i++) {
            assertThat(download(server.channel(), run, "parallel/file-" + i, 0, 0))
                    .isEqualTo(content(0, 200_000 + i, 10 + i));
        }
    }

    @Test
    void listsByPrefixInPagesAndImagesAsASeriesByStep(TestServer server) {
        String run = MetricServiceIT.run(server);
        for (int i = 0; i < 5; i++) {
            upload(server.channel(), header(run, "outputs/file-" + i + ".txt"), content(0, 10, i), 1024, -1);
        }
        for (int step : new int[] {30, 10, 20}) {
            upload(server.channel(), header(run, "images/confusion-" + step + ".png").toBuilder().setStep(step)
                    .build(), content(0, 100, step), 1024, -1);
        }

        List<String> paths = new ArrayList<>();
        String token = "";
        do {
            ListArtifactsResponse page = server.artifacts().listArtifacts(ListArtifactsRequest.newBuilder()
                    .setRunId(run).setPathPrefix("outputs/").setPageSize(2).setPageToken(token).build());
            page.getArtifactsList().forEach(a -> paths.add(a.getPath()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(paths).containsExactly("outputs/file-0.txt", "outputs/file-1.txt", "outputs/file-2.txt",
                "outputs/file-3.txt", "outputs/file-4.txt");

        List<Artifact> images = server.artifacts().listArtifacts(ListArtifactsRequest.newBuilder().setRunId(run)
                .setMediaTypePrefix("image/").build()).getArtifactsList();
        assertThat(images).extracting(Artifact::getStep).containsExactly(10L, 20L, 30L);
        assertThat(images).extracting(Artifact::getMediaType).containsOnly("image/png");
    }

    @Test
    void referencesRecordANameWithoutUpload(TestServer server) {
        String run = MetricServiceIT.run(server);
        Artifact ref = server.artifacts().createArtifactReference(CreateArtifactReferenceRequest.newBuilder()
                .setRunId(run).setName("training-data").setUri("s3://datasets/imagenet/train")
                .setDirection(Direction.DIRECTION_INPUT).build()).getArtifact();

        assertThat(ref.getKind()).isEqualTo(ArtifactKind.ARTIFACT_KIND_REFERENCE);
        assertThat(ref.getDirection()).isEqualTo(Direction.DIRECTION_INPUT);
        assertThat(ref.getUri()).isEqualTo("s3://datasets/imagenet/train");
        assertStatus(Code.FAILED_PRECONDITION, () -> download(server.channel(), run, "training-data", 0, 0));
        assertInvalidField("uri", () -> server.artifacts().createArtifactReference(CreateArtifactReferenceRequest
                .newBuilder().setRunId(run).setName("x").build()));
    }

    @Test
    void deleteRemovesTheArtifactAndItsObject(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        upload(server.channel(), header(run, "tmp.bin"), content(0, 1000, 6), 1024, -1);

        server.artifacts().deleteArtifact(DeleteArtifactRequest.newBuilder().setRunId(run).setPath("tmp.bin").build());

        assertStatus(Code.NOT_FOUND, () -> server.artifacts().getArtifact(GetArtifactRequest.newBuilder()
                .setRunId(run).setPath("tmp.bin").build()));
        assertThat(files(server.artifactDir().resolve("runs").resolve(run))).isEmpty();
        assertStatus(Code.NOT_FOUND, () -> server.artifacts().deleteArtifact(DeleteArtifactRequest.newBuilder()
                .setRunId(run).setPath("tmp.bin").build()));
    }

    @Test
    void purgingARunDeletesItsObjects(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        upload(server.channel(), header(run, "a/b.bin"), content(0, 5000, 7), 1024, -1);
        Path runDir = server.artifactDir().resolve("runs").resolve(run);
        assertThat(files(runDir)).hasSize(1);

        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run).build());
        assertStatus(Code.FAILED_PRECONDITION, () -> upload(server.channel(), header(run, "late.bin"),
                content(0, 10, 1), 1024, -1));
        server.runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(run).build());

        long deadline = System.currentTimeMillis() + 20_000;
        while (!filesLeft(runDir).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(filesLeft(runDir)).isEmpty();
    }

    @Test
    void hostilePathsAreRefusedAndNothingIsWritten(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        List<String> hostile = List.of("..", "../x", "a/../../x", "/etc/passwd", "\\windows\\system32", "a\\b",
                "C:\\x", "C:/x", "a//b", "a/", "./a", "a/./b", "a/\u0000b", "a/\tb", "%2e%2e/x", "%2e%2e%2fx",
                "%252e%252e/x", "a/..%2f..%2fx", "~/x", "a\u2028b", "x".repeat(1025), "y".repeat(256) + "/z",
                "a/%2E%2E/b", "..\\x", "a/\u007f", "", "/", "//", "a/.", "%5c..%5cx");
        assertThat(hostile).hasSizeGreaterThanOrEqualTo(30);
        List<Path> before = files(server.artifactDir());
        for (String path : hostile) {
            assertInvalidField("header.path", () -> upload(server.channel(), header(run, path), new byte[] {1},
                    1024, -1));
            assertInvalidField("path", () -> server.artifacts().getArtifact(GetArtifactRequest.newBuilder()
                    .setRunId(run).setPath(path).build()));
        }
        assertThat(files(server.artifactDir())).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void limitsAndUnknownThings(TestServer server) {
        String run = MetricServiceIT.run(server);
        assertStatus(Code.RESOURCE_EXHAUSTED, () -> upload(server.channel(), header(run, "huge.bin").toBuilder()
                .setSizeBytes(65L * 1024 * 1024 * 1024).build(), new byte[0], 1024, -1));
        assertStatus(Code.NOT_FOUND, () -> upload(server.channel(), header(UUID.randomUUID().toString(), "x.bin"),
                new byte[] {1}, 1024, -1));
        assertInvalidField("header.sha256", () -> upload(server.channel(), header(run, "x.bin").toBuilder()
                .setSha256("xyz").build(), new byte[] {1}, 1024, -1));
        assertReason(Code.NOT_FOUND, "UPLOAD_NOT_FOUND", () -> server.artifacts().getUploadStatus(
                GetUploadStatusRequest.newBuilder().setRunId(run).setUploadId(UUID.randomUUID().toString()).build()));
        assertInvalidField("run_id", () -> server.artifacts().getUploadStatus(GetUploadStatusRequest.newBuilder()
                .setUploadId(UUID.randomUUID().toString()).build()));
        for (long size : List.of(-2L, Long.MIN_VALUE)) {
            StatusRuntimeException refused = assertInvalidField("header.size_bytes", () -> upload(server.channel(),
                    header(run, "negative.bin").toBuilder().setSizeBytes(size).build(), new byte[] {1}, 1024, -1));
            assertThat(refused.getStatus().getDescription()).contains(Long.toString(size));
        }
        assertThat(upload(server.channel(), header(run, "unknown-size.bin").toBuilder().setSizeBytes(-1).build(),
                new byte[] {1}, 1024, -1).getArtifact().getSizeBytes()).isEqualTo(1);
        UploadArtifactResponse empty = upload(server.channel(), header(run, "empty.txt"), new byte[0], 1024, -1);
        assertThat(empty.getArtifact().getSizeBytes()).isZero();
        assertThat(download(server.channel(), run, "empty.txt", 0, 0)).isEmpty();
    }

    /**
     * A symbolic link planted in the local store (by someone with access to the server's files)
     * that leads out of it: reads and writes through it are refused FAILED_PRECONDITION naming the
     * path below the store, never INTERNAL, and nothing outside is read or written.
     */
    @Test
    void aLinkOutOfTheLocalStoreIsFailedPrecondition(TestServer server, @TempDir Path outside) throws Exception {
        String run = MetricServiceIT.run(server);
        Path secret = Files.writeString(outside.resolve("secret.txt"), "not yours");
        upload(server.channel(), header(run, "model.bin"), content(0, 100, 3), 1024, -1);
        Path object = files(server.artifactDir().resolve("runs").resolve(run)).get(0);
        String key = server.artifactDir().relativize(object).toString();
        Files.delete(object);
        Files.createSymbolicLink(object, secret);

        StatusRuntimeException read = assertReason(Code.FAILED_PRECONDITION, "ARTIFACT_STORE_LINK",
                () -> download(server.channel(), run, "model.bin", 0, 0));
        assertThat(read.getStatus().getDescription()).contains(key, "symbolic link");
        assertThat(GrpcAssertions.errorInfo(read).orElseThrow().getMetadataMap()).containsEntry("store_path", key);

        // An upload to a run whose directory in the store is a link out of it.
        String linkedRun = MetricServiceIT.run(server);
        Files.createSymbolicLink(server.artifactDir().resolve("runs").resolve(linkedRun), outside);
        StatusRuntimeException write = assertReason(Code.FAILED_PRECONDITION, "ARTIFACT_STORE_LINK",
                () -> upload(server.channel(), header(linkedRun, "planted.bin"), content(0, 10, 1), 1024, -1));
        assertThat(write.getStatus().getDescription()).contains("runs/" + linkedRun);
        try (Stream<Path> planted = Files.list(outside)) {
            assertThat(planted.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
        }
        assertThat(Files.readString(secret)).isEqualTo("not yours");
    }
}
