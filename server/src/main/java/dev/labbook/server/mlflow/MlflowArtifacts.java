package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import com.google.rpc.ErrorInfo;
import com.linecorp.armeria.common.ContentDisposition;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.labbook.api.v1.Artifact;
import dev.labbook.api.v1.ArtifactKind;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.DeleteArtifactRequest;
import dev.labbook.api.v1.Direction;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.GetArtifactRequest;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.ListArtifactsResponse;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.FileNameMap;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's proxied-artifact API ({@code /api/2.0/mlflow-artifacts/...}) on Labbook's artifact API:
 * {@code PUT artifacts/<exp>/<run>/artifacts/<path>} streams the body into UploadArtifact,
 * {@code GET} of the same path streams DownloadArtifact into the response, {@code GET artifacts?path=}
 * lists one directory level from ListArtifacts, {@code DELETE} deletes a file or a directory's files.
 * Every call goes through {@link LabbookGateway} as the MLflow caller, so the upload's path rules,
 * size limit, checksum and access checks are those of every other upload.
 *
 * <p>Bodies are streamed both ways with flow control: an upload reads the HTTP body on a
 * blocking-task thread in pieces of {@value #CHUNK_BYTES} bytes and sends the next only when the
 * gRPC call is ready; a download asks the gRPC stream for the next piece only when the HTTP
 * connection has taken the previous ones. Multipart uploads ({@code mpu/...}) are not offered:
 * server-info says {@code multipart_uploads_enabled: false} and they answer 501, so the client
 * uploads every file with one PUT.
 */
public final class MlflowArtifacts implements MlflowArtifactRequests {
    private static final Logger LOG = LoggerFactory.getLogger(MlflowArtifacts.class);
    /** Bytes per UploadArtifact message. */
    static final int CHUNK_BYTES = 1024 * 1024;
    /** Download messages in flight: one being written to the connection, one arriving. */
    private static final int DOWNLOAD_WINDOW = 2;
    private static final int LIST_PAGE = 1000;
    /** Pieces read ahead of the sender. */
    private static final int PIPELINE_PIECES = 4;
    /** Marks the end of the body in the sender's queue (compared by identity; a read piece is never it). */
    private static final ByteString END = ByteString.copyFrom(new byte[0]);
    private static final String ARTIFACTS = "artifacts";
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}");
    /** MLflow's text extensions (mlflow.utils.mime_type_utils), served as text/plain as its server does. */
    private static final Set<String> TEXT_EXTENSIONS = Set.of("txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini",
            "properties", "prop", "hocon", "toml", "yaml", "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md",
            "rst", "ipynb", "MLmodel", "MLproject");
    private static final Map<String, String> MORE_TYPES = Map.of("svg", "image/svg+xml", "webp", "image/webp",
            "pdf", "application/pdf", "htm", "text/html", "html", "text/html", "parquet", "application/octet-stream");
    private static final FileNameMap JAVA_TYPES = URLConnection.getFileNameMap();

    private final LabbookGateway gateway;
    /**
     * The senders of uploads: threads of their own, not the blocking-task pool that the readers hold,
     * so that a full pool can never leave readers waiting for senders that have no thread. One per
     * upload in progress, so as many as the pool has readers at most; idle ones end after a minute.
     */
    private final ExecutorService senders = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "labbook-mlflow-upload-sender");
        thread.setDaemon(true);
        return thread;
    });

    public MlflowArtifacts(LabbookGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest request, MlflowCaller caller, String path) {
        HttpMethod method = request.method();
        if (path.equals(ARTIFACTS) || path.equals(ARTIFACTS + "/")) {
            if (method == HttpMethod.GET) {
                return blocking(ctx, "list", () -> list(caller, ctx.queryParams().get("path")));
            }
            return notFound(method + " on mlflow-artifacts/artifacts without a path");
        }
        if (path.startsWith(ARTIFACTS + "/")) {
            String rest = path.substring(ARTIFACTS.length() + 1);
            if (collapsedSlashes(ctx)) {
                // The HTTP layer merges '//' (also the one of an absolute path after artifacts/): MLflow refuses it.
                return MlflowApi.error(MlflowException.invalid("Invalid path: '" + ctx.rawPath()
                        + "' has an empty segment ('//'); artifact paths are relative, with '/' only"));
            }
            if (method == HttpMethod.PUT) {
                return blocking(ctx, "upload", () -> upload(request, caller, rest));
            }
            if (method == HttpMethod.GET) {
                return blocking(ctx, "download", () -> download(ctx, caller, rest));
            }
            if (method == HttpMethod.DELETE) {
                return blocking(ctx, "delete", () -> delete(caller, rest));
            }
            return notFound(method + " on mlflow-artifacts/artifacts/...");
        }
        if (path.startsWith("mpu/")) {
            return MlflowApi.error(new MlflowException(MlflowErrorCode.ENDPOINT_NOT_FOUND,
                    "Labbook does not offer MLflow's multipart uploads (server-info: multipart_uploads_enabled false); "
                            + "upload the file with one PUT to mlflow-artifacts/artifacts/<path>"));
        }
        return notFound("mlflow-artifacts/" + path);
    }

    /** Whether the request's path, as sent, had an empty segment that the normalized path no longer shows. */
    private static boolean collapsedSlashes(ServiceRequestContext ctx) {
        String raw = ctx.rawPath();
        int query = raw.indexOf('?');
        return (query < 0 ? raw : raw.substring(0, query)).contains("//");
    }

    private static HttpResponse notFound(String what) {
        return MlflowApi.error(new MlflowException(MlflowErrorCode.ENDPOINT_NOT_FOUND,
                "Labbook's MLflow artifact API does not implement " + what + " (see docs/mlflow.md)"));
    }

    /** Runs {@code work} on the blocking-task executor; MLflow's JSON error for what it throws. */
    private static HttpResponse blocking(ServiceRequestContext ctx, String what, Supplier<HttpResponse> work) {
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        ctx.blockingTaskExecutor().execute(() -> answer.complete(guarded(what, work)));
        return HttpResponse.of(answer);
    }

    private static HttpResponse guarded(String what, Supplier<HttpResponse> work) {
        try {
            return work.get();
        } catch (MlflowException e) {
            return MlflowApi.error(e);
        } catch (StatusRuntimeException e) {
            return MlflowApi.error(mapped(e));
        } catch (RuntimeException e) {
            LOG.error("MLflow artifact {} failed", what, e);
            return MlflowApi.error(new MlflowException(MlflowErrorCode.INTERNAL_ERROR,
                    "internal error in the artifact " + what + ": " + e));
        }
    }

    /**
     * As {@link MlflowErrors#from}, but a file over the server's size limit is 400
     * INVALID_PARAMETER_VALUE: the MLflow client retries a 429 for minutes, and this one never passes.
     */
    static MlflowException mapped(StatusRuntimeException e) {
        MlflowException error = MlflowErrors.from(e);
        if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED && "max_artifact_bytes".equals(limitOf(e))) {
            return MlflowException.invalid(error.getMessage());
        }
        return error;
    }

    private static String limitOf(StatusRuntimeException e) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details == null) {
            return null;
        }
        for (com.google.protobuf.Any any : details.getDetailsList()) {
            if (any.is(ErrorInfo.class)) {
                try {
                    return any.unpack(ErrorInfo.class).getMetadataMap().get("limit");
                } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The run of a location, which must belong to the location's experiment (MLflow's {@code 0}: the project's Default). */
    private Run requireRun(MlflowCaller caller, ArtifactLocation location) {
        Run run = gateway.runs(caller).getRun(GetRunRequest.newBuilder().setRunId(location.runId()).build()).getRun();
        boolean belongs = run.getExperimentId().equalsIgnoreCase(location.experimentId());
        if (!belongs && location.experimentId().equals("0")) {
            Experiment experiment = gateway.experiments(caller).getExperiment(GetExperimentRequest.newBuilder()
                    .setExperimentId(run.getExperimentId()).build()).getExperiment();
            belongs = experiment.getName().equalsIgnoreCase("Default") && experiment.getProject().equals(caller.project());
        }
        if (!belongs) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST, "Run '" + location.runId()
                    + "' not found in experiment '" + location.experimentId() + "'; " + ArtifactLocation.WHERE);
        }
        return run;
    }

    // ---- list ----

    private HttpResponse list(MlflowCaller caller, String path) {
        if (path == null || path.isEmpty()) {
            throw MlflowException.invalid("listing needs a run's artifact directory as 'path'; " + ArtifactLocation.WHERE);
        }
        while (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        ArtifactLocation location = ArtifactLocation.parse(path);
        requireRun(caller, location);
        String prefix = location.path().isEmpty() ? "" : location.path() + "/";
        // One level: files directly in the directory, and the first segment of deeper paths as directories.
        TreeMap<String, ObjectNode> entries = new TreeMap<>();
        String token = "";
        do {
            ListArtifactsResponse page = gateway.artifacts(caller).listArtifacts(ListArtifactsRequest.newBuilder()
                    .setRunId(location.runId()).setPathPrefix(prefix).setPageSize(LIST_PAGE).setPageToken(token).build());
            for (Artifact artifact : page.getArtifactsList()) {
                // References (URIs recorded without upload) have no bytes the MLflow client could download.
                if (artifact.getKind() == ArtifactKind.ARTIFACT_KIND_REFERENCE || !artifact.getPath().startsWith(prefix)) {
                    continue;
                }
                String relative = artifact.getPath().substring(prefix.length());
                int slash = relative.indexOf('/');
                ObjectNode entry = MlflowApi.JSON.createObjectNode();
                if (slash < 0) {
                    entry.put("path", relative);
                    entry.put("is_dir", false);
                    entry.put("file_size", artifact.getSizeBytes());
                    entries.put(relative, entry);
                } else {
                    String dir = relative.substring(0, slash);
                    entry.put("path", dir);
                    entry.put("is_dir", true);
                    entries.putIfAbsent(dir, entry);
                }
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        ObjectNode body = MlflowApi.JSON.createObjectNode();
        if (!entries.isEmpty()) {
            // MLflow's JSON leaves out an empty list: an empty directory (or a file) lists as {}.
            ArrayNode files = body.putArray("files");
            entries.values().forEach(files::add);
        }
        return MlflowApi.json(HttpStatus.OK, body);
    }

    // ---- upload ----

    private HttpResponse upload(HttpRequest request, MlflowCaller caller, String escapedPath) {
        ArtifactLocation location = ArtifactLocation.fromUrlPath(escapedPath);
        if (location.path().isEmpty()) {
            throw MlflowException.invalid("an upload needs a file path below the run's artifacts directory; "
                    + ArtifactLocation.WHERE);
        }
        requireRun(caller, location);
        long length = request.headers().contentLength();
        UploadHeader.Builder header = UploadHeader.newBuilder().setRunId(location.runId()).setPath(location.path())
                .setDirection(Direction.DIRECTION_OUTPUT)
                // Known: the server refuses a file over its limit before a byte is stored, and checks the size.
                .setSizeBytes(length > 0 ? length : -1);
        MediaType contentType = request.headers().contentType();
        if (contentType != null && MEDIA_TYPE.matcher(contentType.nameWithoutParameters()).matches()) {
            header.setMediaType(contentType.nameWithoutParameters().toLowerCase(Locale.ROOT));
        }

        CompletableFuture<UploadArtifactResponse> result = new CompletableFuture<>();
        Object ready = new Object();
        ClientResponseObserver<UploadArtifactRequest, UploadArtifactResponse> observer = new ClientResponseObserver<>() {
            private UploadArtifactResponse response;

            @Override
            public void beforeStart(ClientCallStreamObserver<UploadArtifactRequest> call) {
                call.setOnReadyHandler(() -> wake(ready));
            }

            @Override
            public void onNext(UploadArtifactResponse value) {
                response = value;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
                wake(ready);
            }

            @Override
            public void onCompleted() {
                result.complete(response);
                wake(ready);
            }
        };
        // No deadline: a file takes as long as it takes (the HTTP route has no request timeout either).
        ClientCallStreamObserver<UploadArtifactRequest> call = (ClientCallStreamObserver<UploadArtifactRequest>)
                gateway.stub(ArtifactServiceGrpc::newStub, caller).withDeadline(null).uploadArtifact(observer);
        MessageDigest sha256 = sha256();
        long sent = 0;
        // Two threads, so that reading the body overlaps storing it (the in-process call stores and
        // hashes on the thread that sends): this one reads, the sender sends, a few pieces between them.
        BlockingQueue<ByteString> pieces = new ArrayBlockingQueue<>(PIPELINE_PIECES);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(
                () -> send(call, header.build(), pieces, result, ready), senders);
        try (InputStream body = request.toInputStream(object -> object instanceof HttpData data ? data : HttpData.empty())) {
            while (!result.isDone() && !sender.isDone()) {
                byte[] chunk = new byte[CHUNK_BYTES];
                int n = body.readNBytes(chunk, 0, CHUNK_BYTES);
                if (n > 0) {
                    sha256.update(chunk, 0, n);
                    sent += n;
                    hand(pieces, UnsafeByteOperations.unsafeWrap(chunk, 0, n), result, sender);
                }
                if (n < CHUNK_BYTES) {
                    hand(pieces, END, result, sender);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the body broke off: the upload is abandoned, nothing becomes visible.
            call.cancel("the HTTP request body broke off", e);
            sender.cancel(false);
            if (result.isDone() && !cancelled(result)) {
                throw failure(result);
            }
            throw new MlflowException(MlflowErrorCode.BAD_REQUEST, "the upload's body broke off after " + sent
                    + " bytes: " + e);
        }
        try {
            sender.join();
        } catch (java.util.concurrent.CompletionException e) {
            call.cancel("sending the upload failed", e.getCause());
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
        UploadArtifactResponse response;
        try {
            response = result.get();
        } catch (ExecutionException e) {
            throw failure(result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel("interrupted", e);
            throw new MlflowException(MlflowErrorCode.TEMPORARILY_UNAVAILABLE, "the server is stopping");
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (!digest.equals(response.getArtifact().getSha256()) || sent != response.getArtifact().getSizeBytes()) {
            // Cannot happen unless bytes were lost on the way in: say so rather than answer success.
            throw new MlflowException(MlflowErrorCode.INTERNAL_ERROR, "artifact '" + location.path() + "' was stored as "
                    + response.getArtifact().getSizeBytes() + " bytes with SHA-256 " + response.getArtifact().getSha256()
                    + " but " + sent + " bytes with SHA-256 " + digest + " were sent");
        }
        // MLflow's server answers an upload with an empty body.
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK));
    }

    /** The sender's side: the header, then the pieces in order until {@link #END}, each when the call is ready. */
    private static void send(ClientCallStreamObserver<UploadArtifactRequest> call, UploadHeader header,
            BlockingQueue<ByteString> pieces, CompletableFuture<?> result, Object ready) {
        awaitReady(call, result, ready);
        if (result.isDone()) {
            return;
        }
        call.onNext(UploadArtifactRequest.newBuilder().setHeader(header).build());
        while (!result.isDone()) {
            ByteString piece;
            try {
                piece = pieces.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while uploading", e);
            }
            if (piece == null) {
                continue;
            }
            if (piece == END) {
                call.onCompleted();
                return;
            }
            awaitReady(call, result, ready);
            if (result.isDone()) {
                return;
            }
            call.onNext(UploadArtifactRequest.newBuilder().setChunk(piece).build());
        }
    }

    /** Queues a piece for the sender; gives up once the upload ended (failed) or the sender stopped. */
    private static void hand(BlockingQueue<ByteString> pieces, ByteString piece, CompletableFuture<?> result,
            CompletableFuture<Void> sender) {
        try {
            while (!pieces.offer(piece, 200, TimeUnit.MILLISECONDS)) {
                if (result.isDone() || sender.isDone()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading", e);
        }
    }

    private static boolean cancelled(CompletableFuture<?> result) {
        try {
            result.join();
            return false;
        } catch (java.util.concurrent.CompletionException e) {
            return Status.fromThrowable(e.getCause()).getCode() == Status.Code.CANCELLED;
        } catch (java.util.concurrent.CancellationException e) {
            return true;
        }
    }

    private static RuntimeException failure(CompletableFuture<?> result) {
        try {
            result.join();
            return new IllegalStateException("the upload did not fail");
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StatusRuntimeException status) {
                return status;
            }
            return Status.fromThrowable(cause).asRuntimeException();
        }
    }

    private static void awaitReady(ClientCallStreamObserver<?> call, CompletableFuture<?> result, Object ready) {
        synchronized (ready) {
            while (!call.isReady() && !result.isDone()) {
                try {
                    ready.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while uploading", e);
                }
            }
        }
    }

    private static void wake(Object ready) {
        synchronized (ready) {
            ready.notifyAll();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- download ----

    private HttpResponse download(ServiceRequestContext ctx, MlflowCaller caller, String escapedPath) {
        ArtifactLocation location = ArtifactLocation.fromUrlPath(escapedPath);
        if (location.path().isEmpty()) {
            throw MlflowException.invalid("Artifact path refers to a directory, not a file: '" + escapedPath + "'");
        }
        requireRun(caller, location);
        Executor blocking = ctx.blockingTaskExecutor();
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        gateway.stub(ArtifactServiceGrpc::newStub, caller).withDeadline(null).downloadArtifact(
                DownloadArtifactRequest.newBuilder().setRunId(location.runId()).setPath(location.path()).build(),
                new ClientResponseObserver<DownloadArtifactRequest, DownloadArtifactResponse>() {
                    private ClientCallStreamObserver<DownloadArtifactRequest> call;
                    private HttpResponseWriter body;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<DownloadArtifactRequest> requestStream) {
                        call = requestStream;
                        call.disableAutoRequestWithInitial(DOWNLOAD_WINDOW);
                    }

                    @Override
                    public void onNext(DownloadArtifactResponse message) {
                        if (body == null) {
                            body = HttpResponse.streaming();
                            body.write(headers(location.path(), message.getArtifact()));
                            // The HTTP client went away: stop reading the file.
                            body.whenComplete().exceptionally(t -> {
                                call.cancel("the HTTP client went away", t);
                                return null;
                            });
                            answer.complete(body);
                        }
                        if (!message.getChunk().isEmpty()
                                && !body.tryWrite(HttpData.wrap(message.getChunk().toByteArray()))) {
                            call.cancel("the HTTP response was closed", null);
                            return;
                        }
                        // The next message once the connection took this one; off the event loop, since
                        // asking for it reads the artifact store on the calling thread.
                        body.whenConsumed().thenRunAsync(() -> call.request(1), blocking);
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (body == null) {
                            StatusRuntimeException status = t instanceof StatusRuntimeException s ? s
                                    : Status.fromThrowable(t).asRuntimeException();
                            answer.complete(MlflowApi.error(mapped(status)));
                        } else {
                            body.abort(t);
                        }
                    }

                    @Override
                    public void onCompleted() {
                        if (body == null) {
                            answer.complete(MlflowApi.error(new MlflowException(MlflowErrorCode.INTERNAL_ERROR,
                                    "the download of '" + location.path() + "' ended without a message")));
                        } else {
                            body.close();
                        }
                    }
                });
        return HttpResponse.of(answer);
    }

    /** The download's headers, as MLflow's server sends them: type by file name, as an attachment. */
    private static ResponseHeaders headers(String path, Artifact artifact) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return ResponseHeaders.builder(HttpStatus.OK)
                .contentType(mediaTypeOf(name))
                .contentLength(artifact.getSizeBytes())
                .contentDisposition(ContentDisposition.builder("attachment").filename(name, StandardCharsets.UTF_8).build())
                .add(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                // Same origin as the web UI: a stored HTML or SVG file must not run scripts there.
                .add(HttpHeaderNames.CONTENT_SECURITY_POLICY, "sandbox")
                .build();
    }

    /** MLflow's {@code _guess_mime_type}: its text extensions as text/plain, else by extension, else octet-stream. */
    static MediaType mediaTypeOf(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? name : name.substring(dot + 1);
        if (TEXT_EXTENSIONS.contains(extension)) {
            return MediaType.PLAIN_TEXT_UTF_8;
        }
        String type = MORE_TYPES.get(extension.toLowerCase(Locale.ROOT));
        if (type == null && dot >= 0) {
            type = JAVA_TYPES.getContentTypeFor(name.toLowerCase(Locale.ROOT));
        }
        if (type == null) {
            return MediaType.OCTET_STREAM;
        }
        try {
            return MediaType.parse(type);
        } catch (IllegalArgumentException e) {
            return MediaType.OCTET_STREAM;
        }
    }

    // ---- delete ----

    /** Deletes the file at the path, or every file below it (MLflow deletes directories too); nothing there is fine. */
    private HttpResponse delete(MlflowCaller caller, String escapedPath) {
        ArtifactLocation location = ArtifactLocation.fromUrlPath(escapedPath);
        requireRun(caller, location);
        List<String> paths = new ArrayList<>();
        if (!location.path().isEmpty()) {
            try {
                gateway.artifacts(caller).getArtifact(GetArtifactRequest.newBuilder().setRunId(location.runId())
                        .setPath(location.path()).build());
                paths.add(location.path());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
            }
        }
        if (paths.isEmpty()) {
            String prefix = location.path().isEmpty() ? "" : location.path() + "/";
            String token = "";
            do {
                ListArtifactsResponse page = gateway.artifacts(caller).listArtifacts(ListArtifactsRequest.newBuilder()
                        .setRunId(location.runId()).setPathPrefix(prefix).setPageSize(LIST_PAGE).setPageToken(token)
                        .build());
                page.getArtifactsList().stream().map(Artifact::getPath).filter(p -> p.startsWith(prefix)).forEach(paths::add);
                token = page.getNextPageToken();
            } while (!token.isEmpty());
        }
        for (String path : paths) {
            try {
                gateway.artifacts(caller).deleteArtifact(DeleteArtifactRequest.newBuilder().setRunId(location.runId())
                        .setPath(path).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return MlflowApi.json(HttpStatus.OK, MlflowApi.JSON.createObjectNode());
    }
}
