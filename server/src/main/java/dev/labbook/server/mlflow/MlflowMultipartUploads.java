package dev.labbook.server.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.labbook.api.v1.Artifact;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.DeleteArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.ListArtifactsResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * MLflow's proxied multipart upload ({@code /api/2.0/mlflow-artifacts/mpu/...}), kept in Labbook's
 * artifact store through the labbook.v1 API as the caller, with no state in the server: any
 * replica answers any step.
 *
 * <ul>
 *   <li>{@code POST mpu/create/<exp>/<run>/artifacts[/<dir>]} {@code {path, num_parts}} checks the
 *       run and answers a random upload id and one credential per part: a URL of
 *       {@code PUT mpu/part/<exp>/<run>/<upload id>/<n>} on this server (the request's own scheme,
 *       host and path prefix), with the caller's {@code Authorization} (and project header) as the
 *       headers the client sends with it — the MLflow client adds nothing of its own to a part.
 *   <li>{@code PUT mpu/part/...} stores the part as the run's artifact
 *       {@value #STAGING}{@code <upload id>/<n>} by the code of an ordinary PUT, and answers its
 *       SHA-256 as the {@code ETag}.
 *   <li>{@code POST mpu/complete/...} {@code {path, upload_id, parts}} checks that every part 1..N
 *       is stored with the ETag the client got, streams the parts in order into one upload at
 *       {@code <dir>/<path>} (the whole size declared first, so the size limit refuses it before a
 *       byte is stored), then deletes the parts.
 *   <li>{@code POST mpu/abort/...} deletes the upload's parts.
 * </ul>
 *
 * <p>Parts are ordinary run artifacts: MLflow's listings leave out {@value #STAGING}, Labbook's own
 * show them while an upload is in flight; an abandoned upload's parts stay until they are deleted
 * (or the run is purged).
 */
final class MlflowMultipartUploads {
    /** The run's directory of parts in flight. */
    static final String STAGING = ".mlflow-mpu/";
    /** At most this many parts (S3's limit too). */
    static final int MAX_PARTS = 10_000;
    /** A create, complete or abort is JSON; 10,000 parts with URLs fit well within this. */
    private static final long MAX_JSON_BYTES = 16L * 1024 * 1024;
    private static final int LIST_PAGE = 1000;
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]_-]{1,255}");

    private final LabbookGateway gateway;
    private final MlflowArtifacts artifacts;

    MlflowMultipartUploads(LabbookGateway gateway, MlflowArtifacts artifacts) {
        this.gateway = gateway;
        this.artifacts = artifacts;
    }

    static boolean isStaging(String path) {
        return path.startsWith(STAGING);
    }

    /** @param path the part after {@code mpu/}: {@code create/...}, {@code part/...}, {@code complete/...}, {@code abort/...} */
    HttpResponse serve(ServiceRequestContext ctx, HttpRequest request, MlflowCaller caller, String path) {
        HttpMethod method = request.method();
        int slash = path.indexOf('/');
        String step = slash < 0 ? path : path.substring(0, slash);
        String rest = slash < 0 ? "" : path.substring(slash + 1);
        if (step.equals("part") && method == HttpMethod.PUT) {
            return MlflowArtifacts.blocking(ctx, "multipart upload's part", () -> part(request, caller, rest));
        }
        if (method == HttpMethod.POST && (step.equals("create") || step.equals("complete") || step.equals("abort"))) {
            ctx.setMaxRequestLength(MAX_JSON_BYTES);
            String base = base(ctx, request.headers(), path);
            return HttpResponse.of(request.aggregate().thenApplyAsync(aggregated -> {
                ObjectNode body;
                try {
                    body = body(aggregated.contentUtf8());
                } catch (MlflowException e) {
                    return MlflowApi.error(e);
                }
                String what = "multipart upload's " + step;
                return switch (step) {
                    case "create" -> MlflowArtifacts.blocking(ctx, what, () -> create(caller, rest, body, base,
                            request.headers()));
                    case "complete" -> MlflowArtifacts.blocking(ctx, what, () -> complete(caller, rest, body));
                    default -> MlflowArtifacts.blocking(ctx, what, () -> abort(caller, rest, body));
                };
            }, ctx.blockingTaskExecutor()));
        }
        return MlflowApi.error(new MlflowException(MlflowErrorCode.ENDPOINT_NOT_FOUND,
                "Labbook's MLflow artifact API does not implement " + method + " mlflow-artifacts/mpu/" + step
                        + " (see docs/mlflow.md)"));
    }

    private static ObjectNode body(String text) {
        if (text.isBlank()) {
            return MlflowApi.JSON.createObjectNode();
        }
        try {
            JsonNode parsed = MlflowApi.JSON.readTree(text);
            if (parsed instanceof ObjectNode object) {
                return object;
            }
            throw MlflowException.invalid("the request body must be a JSON object");
        } catch (JsonProcessingException e) {
            throw MlflowException.invalid("the request body is not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * This server's URL up to {@code mlflow-artifacts/} as the caller reached it: scheme and host
     * from {@code X-Forwarded-Proto}/{@code -Host} when a proxy set them, else the request's own;
     * the path prefix (e.g. {@code /projects/vision/api/2.0/}) as requested.
     */
    private static String base(ServiceRequestContext ctx, RequestHeaders headers, String mpuPath) {
        String full = ctx.path();
        String prefix = full.substring(0, full.length() - ("mpu/" + mpuPath).length());
        String proto = first(headers.get("x-forwarded-proto"));
        if (!"http".equalsIgnoreCase(proto) && !"https".equalsIgnoreCase(proto)) {
            proto = ctx.sessionProtocol().isTls() ? "https" : "http";
        }
        String host = first(headers.get("x-forwarded-host"));
        if (host == null || !HOST.matcher(host).matches()) {
            host = headers.authority();
        }
        if (host == null || !HOST.matcher(host).matches()) {
            host = ctx.localAddress().getHostString() + ":" + ctx.localAddress().getPort();
        }
        return proto.toLowerCase(Locale.ROOT) + "://" + host + prefix;
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        int comma = header.indexOf(',');
        String value = (comma < 0 ? header : header.substring(0, comma)).strip();
        return value.isEmpty() ? null : value;
    }

    /** The directory of the upload ({@code <exp>/<run>/artifacts[/<dir>]}) and the file name of the body's {@code path}. */
    private record Target(ArtifactLocation directory, String name) {
        String path() {
            return directory.child(name);
        }
    }

    private Target target(MlflowCaller caller, String escapedDirectory, ObjectNode body) {
        ArtifactLocation directory = ArtifactLocation.fromUrlPath(escapedDirectory);
        JsonNode pathNode = body.get("path");
        if (pathNode == null || !pathNode.isTextual() || pathNode.asText().isEmpty()) {
            throw MlflowException.missing("path");
        }
        // Clients before 3.18 sent the whole local path: its file name is meant.
        String name = pathNode.asText();
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        ArtifactLocation.requireSafe(name);
        if (name.isEmpty()) {
            throw MlflowException.invalid("Invalid value for parameter 'path': no file name in '" + pathNode.asText() + "'");
        }
        artifacts.requireRun(caller, directory);
        return new Target(directory, name);
    }

    private static String uploadId(ObjectNode body) {
        JsonNode node = body.get("upload_id");
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw MlflowException.missing("upload_id");
        }
        try {
            return UUID.fromString(node.asText()).toString();
        } catch (IllegalArgumentException e) {
            throw MlflowException.invalid("Invalid value for parameter 'upload_id': '" + node.asText()
                    + "' is not an upload id this server gave");
        }
    }

    // ---- create ----

    private HttpResponse create(MlflowCaller caller, String escapedDirectory, ObjectNode body, String base,
            RequestHeaders headers) {
        Target target = target(caller, escapedDirectory, body);
        JsonNode numParts = body.get("num_parts");
        long parts = 1;
        if (numParts != null && !numParts.isNull()) {
            if (numParts.isIntegralNumber() || numParts.isTextual() && numParts.asText().strip().matches("-?[0-9]{1,18}")) {
                parts = numParts.isTextual() ? Long.parseLong(numParts.asText().strip()) : numParts.asLong();
            } else {
                throw MlflowException.invalid("Invalid value " + numParts + " for parameter 'num_parts': expected an integer");
            }
        }
        if (parts < 1 || parts > MAX_PARTS) {
            throw MlflowException.invalid("Invalid value " + parts + " for parameter 'num_parts': between 1 and "
                    + MAX_PARTS + " parts (larger parts: MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE)");
        }
        String uploadId = UUID.randomUUID().toString();
        ObjectNode answer = MlflowApi.JSON.createObjectNode();
        answer.put("upload_id", uploadId);
        ArrayNode credentials = answer.putArray("credentials");
        String[] segments = escapedDirectory.split("/", 3);
        String partBase = base + "mpu/part/" + segments[0] + "/" + segments[1] + "/" + uploadId + "/";
        for (int i = 1; i <= parts; i++) {
            ObjectNode credential = credentials.addObject();
            credential.put("url", partBase + i);
            credential.put("part_number", i);
            // The client sends a part with these headers only: whatever the part needs to pass.
            ObjectNode partHeaders = credential.putObject("headers");
            caller.authorization().ifPresent(value -> partHeaders.put("Authorization", value));
            String project = headers.get(MlflowCaller.PROJECT_HEADER);
            if (project != null) {
                partHeaders.put("X-Labbook-Project", project);
            }
        }
        return MlflowApi.json(HttpStatus.OK, answer);
    }

    // ---- part ----

    private HttpResponse part(HttpRequest request, MlflowCaller caller, String escaped) {
        // <exp>/<run>/<upload id>/<n>
        String[] segments = escaped.split("/", -1);
        if (segments.length != 4) {
            throw MlflowException.invalid("a part's path is mpu/part/<experiment id>/<run id>/<upload id>/<part number>");
        }
        String uploadId;
        int number;
        try {
            uploadId = UUID.fromString(segments[2]).toString();
            number = Integer.parseInt(segments[3]);
        } catch (IllegalArgumentException e) {
            throw MlflowException.invalid("a part's path is mpu/part/<experiment id>/<run id>/<upload id>/<part number>");
        }
        if (number < 1 || number > MAX_PARTS) {
            throw MlflowException.invalid("part number " + number + " is not between 1 and " + MAX_PARTS);
        }
        ArtifactLocation location = ArtifactLocation.fromUrlPath(segments[0] + "/" + segments[1] + "/artifacts/"
                + STAGING + uploadId + "/" + number);
        artifacts.requireRun(caller, location);
        Artifact stored = artifacts.store(caller, location.runId(), location.path(), MlflowArtifacts.bodyOf(request),
                request.headers().contentLength(), "application/octet-stream");
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                .add(HttpHeaderNames.ETAG, "\"" + stored.getSha256() + "\"").build());
    }

    // ---- complete ----

    private HttpResponse complete(MlflowCaller caller, String escapedDirectory, ObjectNode body) {
        Target target = target(caller, escapedDirectory, body);
        String uploadId = uploadId(body);
        JsonNode partsNode = body.get("parts");
        if (partsNode == null || !partsNode.isArray() || partsNode.isEmpty()) {
            throw MlflowException.missing("parts");
        }
        if (partsNode.size() > MAX_PARTS) {
            throw MlflowException.invalid("more than " + MAX_PARTS + " parts");
        }
        TreeMap<Integer, String> etags = new TreeMap<>();
        for (JsonNode part : partsNode) {
            JsonNode number = part.get("part_number");
            if (number == null || !number.canConvertToInt()) {
                throw MlflowException.invalid("Invalid value for parameter 'parts': every part needs its part_number");
            }
            JsonNode etag = part.get("etag");
            String value = etag == null || etag.isNull() ? "" : etag.asText().strip();
            if (value.startsWith("W/")) {
                value = value.substring(2);
            }
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (etags.put(number.asInt(), value.toLowerCase(Locale.ROOT)) != null) {
                throw MlflowException.invalid("Invalid value for parameter 'parts': part " + number.asInt() + " is listed twice");
            }
        }
        if (etags.firstKey() != 1 || etags.lastKey() != etags.size()) {
            throw MlflowException.invalid("Invalid value for parameter 'parts': the parts must be numbered 1 to "
                    + etags.size() + " without gaps");
        }
        String runId = target.directory().runId();
        Map<String, Artifact> staged = staged(caller, runId, uploadId);
        List<Artifact> ordered = new ArrayList<>();
        long total = 0;
        for (Map.Entry<Integer, String> entry : etags.entrySet()) {
            Artifact part = staged.get(STAGING + uploadId + "/" + entry.getKey());
            if (part == null) {
                throw MlflowException.invalid("part " + entry.getKey() + " of upload " + uploadId
                        + " was not uploaded (or the upload was aborted or completed)");
            }
            if (!HEX_SHA256.matcher(entry.getValue()).matches() || !entry.getValue().equals(part.getSha256())) {
                throw MlflowException.invalid("part " + entry.getKey() + " of upload " + uploadId + " has ETag \""
                        + part.getSha256() + "\", not '" + entry.getValue() + "'");
            }
            ordered.add(part);
            total += part.getSizeBytes();
        }
        String name = target.name();
        String mediaType = MlflowArtifacts.mediaTypeOf(name).nameWithoutParameters();
        artifacts.store(caller, runId, target.path(), new PartsInputStream(caller, runId, ordered), total,
                total == 0 ? "" : mediaType);
        delete(caller, runId, staged.keySet());
        return MlflowApi.json(HttpStatus.OK, MlflowApi.JSON.createObjectNode());
    }

    /** The upload's stored parts by path. */
    private Map<String, Artifact> staged(MlflowCaller caller, String runId, String uploadId) {
        String prefix = STAGING + uploadId + "/";
        Map<String, Artifact> parts = new TreeMap<>();
        String token = "";
        do {
            ListArtifactsResponse page = gateway.artifacts(caller).listArtifacts(ListArtifactsRequest.newBuilder()
                    .setRunId(runId).setPathPrefix(prefix).setPageSize(LIST_PAGE).setPageToken(token).build());
            for (Artifact artifact : page.getArtifactsList()) {
                if (artifact.getPath().startsWith(prefix)) {
                    parts.put(artifact.getPath(), artifact);
                }
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return parts;
    }

    private void delete(MlflowCaller caller, String runId, Iterable<String> paths) {
        for (String path : paths) {
            try {
                gateway.artifacts(caller).deleteArtifact(DeleteArtifactRequest.newBuilder().setRunId(runId).setPath(path)
                        .build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
            }
        }
    }

    // ---- abort ----

    private HttpResponse abort(MlflowCaller caller, String escapedDirectory, ObjectNode body) {
        Target target = target(caller, escapedDirectory, body);
        String uploadId = uploadId(body);
        String runId = target.directory().runId();
        delete(caller, runId, staged(caller, runId, uploadId).keySet());
        return MlflowApi.json(HttpStatus.OK, MlflowApi.JSON.createObjectNode());
    }

    /**
     * The parts' bytes one after the other, each read by DownloadArtifact (the blocking stub asks
     * for one message at a time, so a part is never held whole).
     */
    private final class PartsInputStream extends InputStream {
        private final MlflowCaller caller;
        private final String runId;
        private final Iterator<Artifact> parts;
        private Iterator<DownloadArtifactResponse> messages = Collections.emptyIterator();
        /** The current part's download, cancelled when the stream is closed before its end. */
        private Context.CancellableContext download;
        private byte[] chunk = new byte[0];
        private int position;

        PartsInputStream(MlflowCaller caller, String runId, List<Artifact> parts) {
            this.caller = caller;
            this.runId = runId;
            this.parts = parts.iterator();
        }

        private boolean fill() {
            while (position >= chunk.length) {
                if (messages.hasNext()) {
                    chunk = messages.next().getChunk().toByteArray();
                    position = 0;
                } else if (parts.hasNext()) {
                    close();
                    download = Context.current().withCancellation();
                    String path = parts.next().getPath();
                    Context previous = download.attach();
                    try {
                        messages = gateway.stub(ArtifactServiceGrpc::newBlockingStub, caller).withDeadline(null)
                                .downloadArtifact(DownloadArtifactRequest.newBuilder().setRunId(runId).setPath(path).build());
                    } finally {
                        download.detach(previous);
                    }
                } else {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() {
            return fill() ? chunk[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(length, chunk.length - position);
            System.arraycopy(chunk, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public void close() {
            if (download != null) {
                download.cancel(null);
                download = null;
            }
        }
    }
}
