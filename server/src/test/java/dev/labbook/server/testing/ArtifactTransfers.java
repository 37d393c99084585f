package dev.labbook.server.testing;

import com.google.protobuf.ByteString;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;

/** Test helpers for artifact streams: uploads (optionally broken off) and downloads. */
public final class ArtifactTransfers {
    private ArtifactTransfers() {
    }

    /** Bytes [0, size) of a deterministic pseudo-random content, produced without holding it. */
    public static byte[] content(long offset, int length, long seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            long x = (offset + i) * 0x9E3779B97F4A7C15L + seed;
            x ^= x >>> 29;
            out[i] = (byte) (x * 0xBF58476D1CE4E5B9L >>> 56);
        }
        return out;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends the header then {@code data} from {@code header.offset} in chunks, honouring flow
     * control. When {@code breakAfter} >= 0 the stream is cancelled after that many bytes (a
     * network drop) and null is returned; otherwise the response, or the stream's error thrown.
     */
    public static UploadArtifactResponse upload(ManagedChannel channel, UploadHeader header, byte[] data,
            int chunkBytes, long breakAfter) {
        FirstResponse<UploadArtifactResponse> result = new FirstResponse<>();
        ClientCallStreamObserver<UploadArtifactRequest> stream = (ClientCallStreamObserver<UploadArtifactRequest>)
                ArtifactServiceGrpc.newStub(channel).uploadArtifact(result);
        stream.onNext(UploadArtifactRequest.newBuilder().setHeader(header).build());
        long sent = 0;
        for (int from = (int) header.getOffset(); from < data.length; from += chunkBytes) {
            if (breakAfter >= 0 && sent >= breakAfter) {
                break;
            }
            int to = Math.min(data.length, from + chunkBytes);
            while (!stream.isReady() && !result.isDone()) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            if (result.isDone()) {
                break;
            }
            stream.onNext(UploadArtifactRequest.newBuilder().setChunk(ByteString.copyFrom(data, from, to - from))
                    .build());
            sent += to - from;
        }
        if (breakAfter >= 0 && !result.isDone()) {
            stream.cancel("simulated network drop", null);
            return null;
        }
        if (!result.isDone()) {
            stream.onCompleted();
        }
        return result.await(120);
    }

    /**
     * Resumes an upload as a client should: ask GetUploadStatus where to continue and send the
     * rest; if the broken stream was still storing a part (ABORTED, or a stored offset that moved
     * on since the question), ask again.
     */
    public static UploadArtifactResponse resume(ManagedChannel channel, UploadHeader header, byte[] data,
            int chunkBytes) {
        for (int attempt = 1; ; attempt++) {
            long received = ArtifactServiceGrpc.newBlockingStub(channel).getUploadStatus(
                    dev.labbook.api.v1.GetUploadStatusRequest.newBuilder().setRunId(header.getRunId())
                            .setUploadId(header.getUploadId()).build())
                    .getReceivedBytes();
            try {
                return upload(channel, header.toBuilder().setOffset(received).build(), data, chunkBytes, -1);
            } catch (StatusRuntimeException e) {
                // The broken stream may still be storing a part: ABORTED while it does, or, when it
                // finished between GetUploadStatus and this header, "resume from offset N".
                boolean partStoredMeanwhile = e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION
                        && String.valueOf(e.getStatus().getDescription()).contains("resume from offset");
                if ((e.getStatus().getCode() != io.grpc.Status.Code.ABORTED && !partStoredMeanwhile)
                        || attempt == 10) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
        }
    }

    /** Downloads bytes from an offset (length 0 = to the end). */
    public static byte[] download(ManagedChannel channel, String runId, String path, long offset, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Iterator<DownloadArtifactResponse> pages = ArtifactServiceGrpc.newBlockingStub(channel).downloadArtifact(
                DownloadArtifactRequest.newBuilder().setRunId(runId).setPath(path).setOffset(offset).setLength(length)
                        .build());
        while (pages.hasNext()) {
            out.writeBytes(pages.next().getChunk().toByteArray());
        }
        return out.toByteArray();
    }
}
