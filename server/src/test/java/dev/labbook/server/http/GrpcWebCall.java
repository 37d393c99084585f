package dev.labbook.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A gRPC-Web call as a browser makes it, over plain HTTP/1.1 with java.net.http: a POST of one
 * length-prefixed message ({@code application/grpc-web+proto}, or base64 in
 * {@code application/grpc-web-text}), answered by message frames and a trailer frame, or by a
 * trailers-only response whose status is in the HTTP headers. Frames are read as they arrive, so
 * a test sees the messages of a stream that is still open.
 */
final class GrpcWebCall implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpResponse<InputStream> response;
    private final InputStream body;
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private boolean ended;

    private GrpcWebCall(HttpResponse<InputStream> response, InputStream body) {
        this.response = response;
        this.body = body;
    }

    /** Starts a call of {@code /service/method} (e.g. {@code labbook.v1.RunService/GetRun}). */
    static GrpcWebCall start(String baseUrl, String method, Message request, boolean text)
            throws IOException, InterruptedException {
        return start(baseUrl, method, request, text, new String[0]);
    }

    /** A call with more request headers, given as name, value, name, value, ... */
    static GrpcWebCall start(String baseUrl, String method, Message request, boolean text, String... headers)
            throws IOException, InterruptedException {
        return start(baseUrl, method, request.toByteArray(), text, headers);
    }

    /** A call whose request message is the given bytes, as they are (valid protobuf or not). */
    static GrpcWebCall start(String baseUrl, String method, byte[] request, boolean text, String... headers)
            throws IOException, InterruptedException {
        byte[] frame = frame(request);
        String type = text ? "application/grpc-web-text" : "application/grpc-web+proto";
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + "/" + method))
                .header("content-type", type)
                .header("accept", type)
                .header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(text ? Base64.getEncoder().encode(frame) : frame));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        HttpResponse<InputStream> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = text ? new Base64Quanta(response.body()) : response.body();
        return new GrpcWebCall(response, body);
    }

    int httpStatus() {
        return response.statusCode();
    }

    Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    /** The next message of the stream, or empty once the trailers came. */
    <T extends Message> Optional<T> next(Parser<T> parser) throws IOException {
        if (ended) {
            return Optional.empty();
        }
        DataInputStream in = new DataInputStream(body);
        int flags;
        try {
            flags = in.readUnsignedByte();
        } catch (EOFException e) {
            ended = true; // trailers-only: the status came in the headers
            return Optional.empty();
        }
        int length = in.readInt();
        byte[] data = in.readNBytes(length);
        if (data.length != length) {
            throw new EOFException("frame cut short: " + data.length + " of " + length + " bytes");
        }
        if ((flags & 0x80) != 0) {
            for (String line : new String(data, StandardCharsets.US_ASCII).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    trailers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            ended = true;
            return Optional.empty();
        }
        try {
            return Optional.of(parser.parseFrom(data));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("not a " + parser + " message", e);
        }
    }

    /** Every remaining message, then the trailers. */
    <T extends Message> List<T> drain(Parser<T> parser) throws IOException {
        List<T> messages = new ArrayList<>();
        for (Optional<T> m = next(parser); m.isPresent(); m = next(parser)) {
            messages.add(m.get());
        }
        return messages;
    }

    /** A trailer of the ended call: from the trailer frame, or from the headers of a trailers-only answer. */
    Optional<String> trailer(String name) {
        if (!ended) {
            throw new IllegalStateException("the call has not ended");
        }
        return Optional.ofNullable(trailers.get(name)).or(() -> header(name));
    }

    int grpcStatus() {
        return Integer.parseInt(trailer("grpc-status").orElseThrow());
    }

    /** The {@code google.rpc.Status} of an error, from {@code grpc-status-details-bin}. */
    com.google.rpc.Status statusDetails() throws InvalidProtocolBufferException {
        String encoded = trailer("grpc-status-details-bin").orElseThrow();
        // Base64 with or without padding, as the gRPC spec allows.
        return com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(pad(encoded)));
    }

    private static String pad(String base64) {
        return base64 + "===".substring(0, (4 - base64.length() % 4) % 4);
    }

    static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }

    @Override
    public void close() throws IOException {
        body.close();
    }

    /**
     * grpc-web-text bodies: base64, possibly one padded chunk per frame. Every 4 characters
     * decode on their own, so decoding quantum by quantum handles chunks of any size.
     */
    private static final class Base64Quanta extends InputStream {
        private final InputStream encoded;
        private byte[] decoded = new byte[0];
        private int position;

        Base64Quanta(InputStream encoded) {
            this.encoded = encoded;
        }

        @Override
        public int read() throws IOException {
            while (position == decoded.length) {
                byte[] quantum = new byte[4];
                int n = 0;
                while (n < 4) {
                    int c = encoded.read();
                    if (c < 0) {
                        if (n == 0) {
                            return -1;
                        }
                        throw new EOFException("base64 cut short");
                    }
                    if (!Character.isWhitespace(c)) {
                        quantum[n++] = (byte) c;
                    }
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(3);
                out.writeBytes(Base64.getDecoder().decode(quantum));
                decoded = out.toByteArray();
                position = 0;
            }
            return decoded[position++] & 0xff;
        }

        @Override
        public void close() throws IOException {
            encoded.close();
        }
    }
}
