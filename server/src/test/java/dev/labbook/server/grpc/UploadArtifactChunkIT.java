package dev.labbook.server.grpc;

import static dev.labbook.server.testing.ArtifactTransfers.content;
import static dev.labbook.server.testing.ArtifactTransfers.download;
import static dev.labbook.server.testing.ArtifactTransfers.sha256;
import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.PreconditionFailure;
import dev.labbook.api.v1.GetArtifactRequest;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.GetUploadStatusResponse;
import dev.labbook.api.v1.UploadArtifactChunkRequest;
import dev.labbook.api.v1.UploadArtifactChunkResponse;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** UploadArtifactChunk: a resumable upload in unary calls, one piece of whole parts per call. */
@ExtendWith(LabbookServerExtension.class)
class UploadArtifactChunkIT {
    private static final int MIB = 1024 * 1024;
    private static final int PART = 8 * MIB;

    private static UploadHeader header(String run, String path, String uploadId, byte[] data) {
        return UploadHeader.newBuilder().setRunId(run).setPath(path).setUploadId(uploadId).setSizeBytes(data.length)
                .setSha256(sha256(data)).build();
    }

    private static UploadArtifactChunkResponse piece(TestServer server, UploadHeader header, byte[] data, int from,
            int to, boolean finish) {
        return server.artifacts().uploadArtifactChunk(UploadArtifactChunkRequest.newBuilder().setHeader(header)
                .setOffset(from).setData(ByteString.copyFrom(data, from, to - from)).setFinish(finish).build());
    }

    private static GetUploadStatusResponse status(TestServer server, String run, String uploadId) {
        return server.artifacts().getUploadStatus(GetUploadStatusRequest.newBuilder().setRunId(run)
                .setUploadId(uploadId).build());
    }

    @Test
    void uploadsAFileOfSeveralPartsPieceByPiece(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 2 * PART + 3 * MIB + 17, 31);
        String id = UUID.randomUUID().toString();
        UploadHeader header = header(run, "checkpoints/model.pt", id, data);

        UploadArtifactChunkResponse first = piece(server, header, data, 0, PART, false);
        UploadArtifactChunkResponse second = piece(server, header, data, PART, 2 * PART, false);

        assertThat(first.getReceivedBytes()).isEqualTo(PART);
        assertThat(first.getComplete()).isFalse();
        assertThat(first.hasArtifact()).isFalse();
        assertThat(first.getPartSizeBytes()).isEqualTo(PART);
        assertThat(second.getReceivedBytes()).isEqualTo(2L * PART);
        GetUploadStatusResponse status = status(server, run, id);
        assertThat(status.getReceivedBytes()).isEqualTo(2L * PART);
        assertThat(status.getPartSizeBytes()).isEqualTo(PART);
        assertThat(status.getComplete()).isFalse();
        assertReason(Code.NOT_FOUND, "ARTIFACT_NOT_FOUND", () -> server.artifacts().getArtifact(
                GetArtifactRequest.newBuilder().setRunId(run).setPath("checkpoints/model.pt").build()));

        UploadArtifactChunkResponse last = piece(server, header, data, 2 * PART, data.length, true);

        assertThat(last.getComplete()).isTrue();
        assertThat(last.getReceivedBytes()).isEqualTo(data.length);
        assertThat(last.getArtifact().getSha256()).isEqualTo(sha256(data));
        assertThat(last.getArtifact().getSizeBytes()).isEqualTo(data.length);
        assertThat(download(server.channel(), run, "checkpoints/model.pt", 0, 0)).isEqualTo(data);
        assertThat(status(server, run, id).getComplete()).isTrue();
    }

    @Test
    void aRetriedPieceIsAcknowledgedWithoutStoringItAgain(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, PART + 1000, 32);
        String id = UUID.randomUUID().toString();
        UploadHeader header = header(run, "a.bin", id, data);

        piece(server, header, data, 0, PART, false);
        UploadArtifactChunkResponse retried = piece(server, header, data, 0, PART, false);
        UploadArtifactChunkResponse finished = piece(server, header, data, PART, data.length, true);
        UploadArtifactChunkResponse finishedAgain = piece(server, header, data, PART, data.length, true);

        assertThat(retried.getReceivedBytes()).isEqualTo(PART);
        assertThat(retried.getComplete()).isFalse();
        assertThat(finished.getComplete()).isTrue();
        assertThat(finishedAgain.getComplete()).isTrue();
        assertThat(finishedAgain.getArtifact()).isEqualTo(finished.getArtifact());
        assertThat(download(server.channel(), run, "a.bin", 0, 0)).isEqualTo(data);
        // Past the end of a complete upload there is nothing to resume.
        assertReason(Code.FAILED_PRECONDITION, "UPLOAD_COMPLETE", () -> piece(server, header,
                content(0, 2 * PART, 32), data.length, data.length + 1, true));
    }

    @Test
    void aPieceAtTheWrongOffsetIsRefusedWithTheOffsetToContinueFrom(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 3 * PART, 33);
        String id = UUID.randomUUID().toString();
        UploadHeader header = header(run, "b.bin", id, data);

        StatusRuntimeException unknown = assertReason(Code.FAILED_PRECONDITION, "UPLOAD_OFFSET_MISMATCH",
                () -> piece(server, header, data, PART, 2 * PART, false));
        assertThat(errorInfo(unknown).orElseThrow().getMetadataMap()).containsEntry("expected_offset", "0");
        piece(server, header, data, 0, PART, false);

        StatusRuntimeException ahead = assertReason(Code.FAILED_PRECONDITION, "UPLOAD_OFFSET_MISMATCH",
                () -> piece(server, header, data, 2 * PART, 3 * PART, true));
        StatusRuntimeException overlapping = assertReason(Code.FAILED_PRECONDITION, "UPLOAD_OFFSET_MISMATCH",
                () -> piece(server, header, data, PART / 2, PART / 2 + PART, false));

        for (StatusRuntimeException e : new StatusRuntimeException[] {ahead, overlapping}) {
            assertThat(errorInfo(e).orElseThrow().getMetadataMap()).containsEntry("expected_offset",
                    String.valueOf(PART));
            PreconditionFailure failure = StatusProto.fromThrowable(e).getDetailsList().stream()
                    .filter(any -> any.is(PreconditionFailure.class))
                    .map(any -> {
                        try {
                            return any.unpack(PreconditionFailure.class);
                        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                            throw new AssertionError(ex);
                        }
                    })
                    .findFirst().orElseThrow();
            assertThat(failure.getViolations(0).getSubject()).isEqualTo("offset=" + PART);
        }
        assertThat(status(server, run, id).getReceivedBytes()).isEqualTo(PART);
    }

    @Test
    void everyPieceButTheLastIsWholeParts(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 3 * MIB, 34);
        String id = UUID.randomUUID().toString();
        UploadHeader header = header(run, "small.bin", id, data);

        assertInvalidField("data", () -> piece(server, header, data, 0, 3 * MIB, false));
        assertReason(Code.NOT_FOUND, "UPLOAD_NOT_FOUND", () -> status(server, run, id));

        UploadArtifactChunkResponse whole = piece(server, header, data, 0, 3 * MIB, true);

        assertThat(whole.getComplete()).isTrue();
        assertThat(download(server.channel(), run, "small.bin", 0, 0)).isEqualTo(data);
    }

    @Test
    void anUploadBelongsToOneRun(TestServer server) {
        String run = MetricServiceIT.run(server);
        String other = MetricServiceIT.run(server);
        byte[] data = content(0, PART + 10, 35);
        String id = UUID.randomUUID().toString();
        piece(server, header(run, "c.bin", id, data), data, 0, PART, false);

        assertReason(Code.NOT_FOUND, "UPLOAD_NOT_FOUND", () -> status(server, other, id));
        assertInvalidField("header.upload_id", () -> piece(server, header(other, "c.bin", id, data), data, PART,
                data.length, true));
        assertInvalidField("header.upload_id", () -> piece(server, header(run, "other-path.bin", id, data), data,
                PART, data.length, true));
        assertThat(status(server, run, id).getReceivedBytes()).isEqualTo(PART);
    }

    @Test
    void theHeaderIsCheckedAndABadChecksumDiscardsTheUpload(TestServer server) {
        String run = MetricServiceIT.run(server);
        byte[] data = content(0, 1000, 36);
        String id = UUID.randomUUID().toString();
        UploadHeader wrongSha = header(run, "d.bin", id, data).toBuilder().setSha256("0".repeat(64)).build();

        assertInvalidField("header.upload_id", () -> piece(server, wrongSha.toBuilder().clearUploadId().build(), data,
                0, data.length, true));
        assertInvalidField("header", () -> server.artifacts().uploadArtifactChunk(
                UploadArtifactChunkRequest.getDefaultInstance()));
        assertInvalidField("header.path", () -> piece(server, wrongSha.toBuilder().setPath("../x").build(), data, 0,
                data.length, true));
        assertInvalidField("header.sha256", () -> piece(server, wrongSha, data, 0, data.length, true));

        assertReason(Code.NOT_FOUND, "UPLOAD_NOT_FOUND", () -> status(server, run, id));
        assertReason(Code.NOT_FOUND, "ARTIFACT_NOT_FOUND", () -> server.artifacts().getArtifact(
                GetArtifactRequest.newBuilder().setRunId(run).setPath("d.bin").build()));
    }
}
