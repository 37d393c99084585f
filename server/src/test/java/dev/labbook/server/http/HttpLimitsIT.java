package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.HttpLimits;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.Setting;
import dev.labbook.server.testing.LocalServerConfig;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.StreamEvents;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port's limits (issue 15, item 2), as `labbook server` reads them from its settings,
 * over raw sockets so that nothing in a client hides what the server does: a body above the
 * request size is refused with 413, a request that does not arrive in time is cut, connections
 * beyond the limit are closed; each limit follows its setting.
 */
class HttpLimitsIT {
    @TempDir
    Path tmp;

    private ServerConfig config(String database, Map<Setting, String> settings) {
        Map<Setting, String> withHttp = new EnumMap<>(Setting.class);
        withHttp.put(Setting.HTTP_PORT, Integer.toString(ServerProcess.freePort()));
        withHttp.putAll(settings);
        return LocalServerConfig.load(database, tmp, withHttp);
    }

    @Test
    void aBodyAboveTheMaxRequestBytesIsRefusedWith413AndTheLimitFollowsItsSetting() throws Exception {
        ServerConfig small = config("labbook_http_limits_small_it", Map.of(Setting.HTTP_MAX_REQUEST_BYTES, "2048"));
        assertThat(small.http().limits().maxRequestBytes()).isEqualTo(2048);
        try (LabbookServer server = LabbookServer.start(small)) {
            int port = server.httpPort().orElseThrow();
            assertThat(statusOfSignIn(port, 4096)).isEqualTo(413);
            // Under the limit the sign-in reads the body and judges the token (not a size error).
            assertThat(statusOfSignIn(port, 1024)).isNotEqualTo(413).isBetween(400, 499);
        }
        ServerConfig defaults = config("labbook_http_limits_default_it", Map.of());
        assertThat(defaults.http().limits()).isEqualTo(HttpLimits.defaults());
        try (LabbookServer server = LabbookServer.start(defaults)) {
            int port = server.httpPort().orElseThrow();
            assertThat(statusOfSignIn(port, 4096)).isNotEqualTo(413).isBetween(400, 499);
            assertThat(statusOfSignIn(port, 2 * 1024 * 1024)).isEqualTo(413);
        }
    }

    @Test
    void aSlowRequestIsCutAfterTheRequestTimeoutButAnApiStreamIsNotAndExtraConnectionsAreClosed() throws Exception {
        ServerConfig config = config("labbook_http_limits_time_it", Map.of(Setting.HTTP_REQUEST_TIMEOUT_SECONDS, "1",
                Setting.HTTP_MAX_CONNECTIONS, "2"));
        try (LabbookServer server = LabbookServer.start(config)) {
            int port = server.httpPort().orElseThrow();
            // A body announced and never sent (slowloris): answered within the timeout, not held.
            try (Socket slow = new Socket("127.0.0.1", port)) {
                slow.setSoTimeout(10_000);
                long start = System.nanoTime();
                send(slow, "POST " + SessionRoutes.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
                int status = status(slow.getInputStream());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(status).isIn(408, 503);
                assertThat(millis).isBetween(900L, 8_000L);
            }

            // The API's streams are not requests that time out: a watch over this port stays open.
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                RunServiceGrpc.RunServiceBlockingStub runs = RunServiceGrpc.newBlockingStub(channel);
                Run run = runs.openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                        .setExperimentName("limits").setName("watched").build()).getRun();
                StreamEvents<WatchRunResponse> watch = StreamEvents.of(response -> response.getRun().getStatus());
                RunServiceGrpc.newStub(channel).watchRun(WatchRunRequest.newBuilder().setRunId(run.getId()).build(),
                        watch);
                BlockingQueue<Object> events = watch.events();
                assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
                assertThat(events.poll(2_500, TimeUnit.MILLISECONDS)).as("still open after the request timeout").isNull();
            } finally {
                channel.shutdownNow();
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }

            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    open.add(acceptedConnection(port));
                }
                try (Socket third = new Socket("127.0.0.1", port)) {
                    third.setSoTimeout(10_000);
                    // Closed on arrival: a request gets no answer, only the end of the stream.
                    assertThatThrownBy(() -> {
                        send(third, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
                        int first = third.getInputStream().read();
                        if (first == -1) {
                            throw new IOException("closed");
                        }
                    }).isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
                }
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
        }
    }

    /** POSTs a JSON body of {@code bytes} bytes to the sign-in; returns the status. */
    /**
     * A connection the server answers. The channel closed just before may still count against the
     * connection limit for a moment (the server sees its end asynchronously, later under load): a
     * connection reset or closed on arrival is retried for up to 5 s.
     */
    private static Socket acceptedConnection(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Socket socket = new Socket("127.0.0.1", port);
            try {
                send(socket, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
                assertThat(status(socket.getInputStream())).isBetween(200, 499);
                return socket;
            } catch (IOException e) { // reset, or closed without an answer
                socket.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static int statusOfSignIn(int port, int bytes) throws IOException {
        String body = "{\"token\":\"" + "x".repeat(bytes - 12) + "\"}";
        assertThat(body.length()).isEqualTo(bytes);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            send(socket, "POST " + SessionRoutes.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nOrigin: http://127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes + "\r\nConnection: close\r\n\r\n");
            try {
                send(socket, body);
            } catch (IOException refusedEarly) {
                // The server may answer and close before the whole body is written.
            }
            return status(socket.getInputStream());
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The status code of the response's status line. */
    private static int status(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        String[] parts = line.toString().trim().split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("no status line: '" + line + "'");
        }
        // Drain the rest of this response's head so that the next request on the socket is clean.
        int newlines = 0;
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                if (++newlines == 2) {
                    break;
                }
            } else if (c != '\r') {
                newlines = 0;
            }
        }
        return Integer.parseInt(parts[1]);
    }
}
