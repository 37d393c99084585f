package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A local server without access control refuses requests for another site's name (DNS
 * rebinding: a page of rebind.attacker.example whose name now points at 127.0.0.1), on the API
 * and the UI alike, and answers its own names.
 */
@ExtendWith(LabbookServerExtension.class)
class HostCheckIT {
    @Test
    void requestsForAnotherSitesNameAreRefused(TestServer server) throws Exception {
        String listProjects = "POST /labbook.v1.ProjectService/ListProjects HTTP/1.1\r\nHost: %s\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        assertThat(exchange(server, listProjects.formatted("rebind.attacker.example:" + server.httpPort())))
                .startsWith("HTTP/1.1 403").contains("DNS rebinding");
        assertThat(exchange(server, "GET / HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 403");
        assertThat(exchange(server, listProjects.formatted("localhost:" + server.httpPort())))
                .startsWith("HTTP/1.1 200").contains("projects");
        assertThat(exchange(server, listProjects.formatted("127.0.0.1:" + server.httpPort())))
                .startsWith("HTTP/1.1 200");
    }

    private static String exchange(TestServer server, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
