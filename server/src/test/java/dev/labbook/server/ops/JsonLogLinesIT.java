package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --log-format json}, what the libraries log through java.util.logging (grpc-java,
 * its Netty) goes through the server's logging too: after connections that break the transport
 * (HTTP/1.1 and garbage on the gRPC port, a connection cut mid-frame), every line the process
 * wrote on stdout and stderr is one JSON object.
 */
class JsonLogLinesIT {
    @TempDir
    Path tmp;

    @Test
    void transportErrorsLeaveEveryOutputLineJson() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_json_logs_it");
        String stdout;
        String stderr;
        try (ServerProcess server = ServerProcess.start(tmp.resolve("logs"), ServerProcess.freePort(),
                "--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password(),
                "--artifact-dir", tmp.resolve("artifacts").toString(), "--metrics-port", "0", "--http-port", "0",
                "--log-format", "json")) {
            // Not HTTP/2: the gRPC transport fails the connection.
            exchange(server.port(), "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            exchange(server.port(), new byte[] {0, 1, 2, 3, (byte) 0xff, (byte) 0xfe, 10, 13, 10});
            // The HTTP/2 preface, then a frame header whose frame never comes.
            byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] cut = java.util.Arrays.copyOf(preface, preface.length + 5);
            cut[preface.length + 2] = 100;
            exchange(server.port(), cut);
            server.terminate();
            assertThat(server.awaitExit(60)).isZero();
            stdout = server.stdout();
            stderr = server.stderr();
        }
        List<String> lines = new ArrayList<>();
        for (String output : List.of(stdout, stderr)) {
            output.lines().filter(line -> !line.isBlank()).forEach(lines::add);
        }
        assertThat(lines).as("server output").isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode event;
            try {
                event = json.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON log line: " + line + "\nstderr:\n" + stderr, e);
            }
            assertThat(event.has("level") && event.has("loggerName") && event.has("formattedMessage"))
                    .as("JSON log line %s", line).isTrue();
        }
    }

    /** Sends {@code bytes} on a new connection and reads until the server closes it (or 5 s pass). */
    private static void exchange(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                while (in.read(buffer) >= 0) {
                    // Whatever the server answers before it closes the connection.
                }
            } catch (IOException closedOrTimedOut) {
                // Reset by the server, or still open: either way the server saw the bytes.
            }
        }
    }
}
