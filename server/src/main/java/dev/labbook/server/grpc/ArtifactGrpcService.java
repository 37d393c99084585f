package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import com.google.protobuf.ByteString;
import dev.labbook.api.v1.ArtifactKind;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.CreateArtifactReferenceRequest;
import dev.labbook.api.v1.CreateArtifactReferenceResponse;
import dev.labbook.api.v1.DeleteArtifactRequest;
import dev.labbook.api.v1.DeleteArtifactResponse;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.GetArtifactRequest;
import dev.labbook.api.v1.GetArtifactResponse;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.GetUploadStatusResponse;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.ListArtifactsResponse;
import dev.labbook.api.v1.UploadArtifactChunkRequest;
import dev.labbook.api.v1.UploadArtifactChunkResponse;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.domain.artifact.Artifact;
import dev.labbook.server.domain.artifact.ArtifactDownload;
import dev.labbook.server.domain.artifact.ArtifactService;
import dev.labbook.server.domain.artifact.Direction;
import dev.labbook.server.domain.artifact.UploadPiece;
import dev.labbook.server.domain.artifact.UploadRequest;
import dev.labbook.server.domain.artifact.UploadSession;
import dev.labbook.server.domain.artifact.UploadStatus;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/** ArtifactService RPCs: maps messages to {@link ArtifactService} calls and streams bytes. */
public final class ArtifactGrpcService extends ArtifactServiceGrpc.ArtifactServiceImplBase {
    /** Bytes per download message. */
    static final int DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

    private final ArtifactService artifacts;

    public ArtifactGrpcService(ArtifactService artifacts) {
        this.artifacts = artifacts;
    }

    /**
     * The first message is the header; chunks follow and are stored part by part while the
     * stream is open (the handler blocks, so flow control holds the client at storage speed).
     */
    @Override
    public StreamObserver<UploadArtifactRequest> uploadArtifact(StreamObserver<UploadArtifactResponse> response) {
        return new StreamObserver<>() {
            private UploadSession session;
            private boolean failed;

            @Override
            public void onNext(UploadArtifactRequest request) {
                if (failed) {
                    return;
                }
                try {
                    if (session == null) {
                        if (!request.hasHeader()) {
                            throw new InvalidArgumentException("header", "must be the first message of the stream");
                        }
                        session = artifacts.openUpload(toRequest(request.getHeader()));
                    } else if (request.hasHeader()) {
                        throw new InvalidArgumentException("header", "may only be sent once, first");
                    } else {
                        session.write(request.getChunk().asReadOnlyByteBuffer());
                    }
                } catch (RuntimeException e) {
                    fail(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (session != null) {
                    session.abandon();
                }
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    if (session == null) {
                        throw new InvalidArgumentException("header", "is required: the stream was empty");
                    }
                    Artifact artifact = session.finish();
                    reply(response, UploadArtifactResponse.newBuilder().setArtifact(toProto(artifact))
                            .setUploadId(session.uploadId().toString()).build());
                } catch (RuntimeException e) {
                    fail(e);
                }
            }

            private void fail(RuntimeException e) {
                failed = true;
                if (session != null) {
                    session.abandon();
                }
                response.onError(StatusMapper.toStatusException(e));
            }
        };
    }

    private static UploadRequest toRequest(UploadHeader h) {
        if (h.getOffset() < 0) {
            throw new InvalidArgumentException("header.offset", "must not be negative");
        }
        if (h.getSizeBytes() < -1) {
            throw new InvalidArgumentException("header.size_bytes",
                    "must be the size in bytes, or -1 or 0 when unknown; got " + h.getSizeBytes());
        }
        return new UploadRequest(
                ProtoIds.required("header.run_id", h.getRunId()),
                h.getPath(),
                direction("header.direction", h.getDirection()),
                h.getMediaType(),
                h.getSizeBytes() > 0 ? h.getSizeBytes() : null,
                h.getSha256().isEmpty() ? null : h.getSha256().toLowerCase(Locale.ROOT),
                h.hasStep() ? h.getStep() : null,
                ProtoIds.optional("header.upload_id", h.getUploadId()),
                h.getOffset());
    }

    /** One piece of a unary upload; see {@link ArtifactService#uploadPiece}. */
    @Override
    public void uploadArtifactChunk(UploadArtifactChunkRequest request,
            StreamObserver<UploadArtifactChunkResponse> response) {
        if (!request.hasHeader()) {
            throw new InvalidArgumentException("header", "is required in every call");
        }
        UploadRequest header = toRequest(request.getHeader());
        if (header.uploadId() == null) {
            throw new InvalidArgumentException("header.upload_id", "is required for UploadArtifactChunk (a client-made UUID)");
        }
        UploadPiece piece = artifacts.uploadPiece(header, request.getOffset(),
                request.getData().asReadOnlyByteBuffer(), request.getFinish());
        UploadArtifactChunkResponse.Builder builder = UploadArtifactChunkResponse.newBuilder()
                .setReceivedBytes(piece.receivedBytes())
                .setComplete(piece.complete())
                .setPartSizeBytes(piece.partSize());
        if (piece.complete()) {
            builder.setArtifact(toProto(piece.artifact()));
        }
        reply(response, builder.build());
    }

    @Override
    public void getUploadStatus(GetUploadStatusRequest request, StreamObserver<GetUploadStatusResponse> response) {
        UploadStatus status = artifacts.uploadStatus(ProtoIds.required("upload_id", request.getUploadId()),
                ProtoIds.required("run_id", request.getRunId()));
        reply(response, GetUploadStatusResponse.newBuilder().setReceivedBytes(status.receivedBytes())
                .setComplete(status.complete()).setPartSizeBytes(status.partSize()).build());
    }

    @Override
    public void downloadArtifact(DownloadArtifactRequest request, StreamObserver<DownloadArtifactResponse> response) {
        ArtifactDownload download = artifacts.download(ProtoIds.required("run_id", request.getRunId()),
                request.getPath(), request.getOffset(), request.getLength());
        FlowControlledSender.start((ServerCallStreamObserver<DownloadArtifactResponse>) response, new ChunkSource(download));
    }

    /** The content in chunks of {@value #DOWNLOAD_CHUNK_BYTES} bytes; the first message carries the artifact. */
    private static final class ChunkSource implements FlowControlledSender.Source<DownloadArtifactResponse> {
        private final ArtifactDownload download;
        private final byte[] buffer = new byte[DOWNLOAD_CHUNK_BYTES];
        private boolean first = true;
        private boolean atEnd;

        ChunkSource(ArtifactDownload download) {
            this.download = download;
        }

        @Override
        public DownloadArtifactResponse next() {
            if (atEnd) {
                return null;
            }
            int n;
            try {
                n = download.content().readNBytes(buffer, 0, buffer.length);
            } catch (IOException | UncheckedIOException e) {
                throw new UnavailableException(ErrorReason.ARTIFACT_STORE_UNAVAILABLE, "reading the artifact failed", e);
            }
            atEnd = n < buffer.length;
            if (n == 0 && !first) {
                return null;
            }
            DownloadArtifactResponse.Builder message = DownloadArtifactResponse.newBuilder();
            if (first) {
                message.setArtifact(toProto(download.artifact()));
                first = false;
            }
            if (n > 0) {
                message.setChunk(ByteString.copyFrom(buffer, 0, n));
            }
            return message.build();
        }

        @Override
        public void close() {
            try {
                download.content().close();
            } catch (IOException ignored) {
                // nothing more to read
            }
        }
    }

    @Override
    public void listArtifacts(ListArtifactsRequest request, StreamObserver<ListArtifactsResponse> response) {
        Page<Artifact> page = artifacts.list(ProtoIds.required("run_id", request.getRunId()), request.getPathPrefix(),
                request.getMediaTypePrefix(), request.getPageSize(), request.getPageToken());
        ListArtifactsResponse.Builder builder = ListArtifactsResponse.newBuilder()
                .setNextPageToken(page.nextPageToken());
        page.items().forEach(a -> builder.addArtifacts(toProto(a)));
        reply(response, builder.build());
    }

    @Override
    public void getArtifact(GetArtifactRequest request, StreamObserver<GetArtifactResponse> response) {
        Artifact artifact = artifacts.get(ProtoIds.required("run_id", request.getRunId()), request.getPath());
        reply(response, GetArtifactResponse.newBuilder().setArtifact(toProto(artifact)).build());
    }

    @Override
    public void createArtifactReference(CreateArtifactReferenceRequest request,
            StreamObserver<CreateArtifactReferenceResponse> response) {
        Artifact reference = artifacts.createReference(ProtoIds.required("run_id", request.getRunId()),
                request.getName(), request.getUri(), direction("direction", request.getDirection()),
                request.getMediaType());
        reply(response, CreateArtifactReferenceResponse.newBuilder().setArtifact(toProto(reference)).build());
    }

    @Override
    public void deleteArtifact(DeleteArtifactRequest request, StreamObserver<DeleteArtifactResponse> response) {
        artifacts.delete(ProtoIds.required("run_id", request.getRunId()), request.getPath());
        reply(response, DeleteArtifactResponse.getDefaultInstance());
    }

    private static Direction direction(String field, dev.labbook.api.v1.Direction direction) {
        return switch (direction) {
            case DIRECTION_UNSPECIFIED, DIRECTION_OUTPUT -> Direction.OUTPUT;
            case DIRECTION_INPUT -> Direction.INPUT;
            case UNRECOGNIZED -> throw new InvalidArgumentException(field, "is not a known direction");
        };
    }

    static dev.labbook.api.v1.Artifact toProto(Artifact a) {
        dev.labbook.api.v1.Artifact.Builder b = dev.labbook.api.v1.Artifact.newBuilder()
                .setRunId(a.runId().toString())
                .setPath(a.path())
                .setDirection(a.direction() == Direction.INPUT ? dev.labbook.api.v1.Direction.DIRECTION_INPUT
                        : dev.labbook.api.v1.Direction.DIRECTION_OUTPUT)
                .setKind(a.reference() ? ArtifactKind.ARTIFACT_KIND_REFERENCE : ArtifactKind.ARTIFACT_KIND_FILE)
                .setSizeBytes(a.sizeBytes())
                .setSha256(a.sha256())
                .setMediaType(a.mediaType())
                .setUri(a.uri())
                .setCreateTimeMs(a.createdAt().toEpochMilli());
        if (a.step() != null) {
            b.setStep(a.step());
        }
        return b.build();
    }
}
