package dev.labbook.server.grpc;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The LogService RPCs through the shared test server (as wired by LabbookServer). Skipped while
 * the server still answers UNIMPLEMENTED for LogService.
 */
@ExtendWith(LabbookServerExtension.class)
class LogServiceIT extends LogRpcContract {
    private TestServer server;

    @BeforeEach
    void use(TestServer server) {
        this.server = server;
        assumeFalse(unimplemented(server.channel()), "LogService is not wired into LabbookServer yet");
    }

    @Override
    TestServer server() {
        return server;
    }

    @Override
    ManagedChannel logChannel() {
        return server.channel();
    }
}
