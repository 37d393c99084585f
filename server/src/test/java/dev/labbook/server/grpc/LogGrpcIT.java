package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.server.domain.log.LogService;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The LogService RPCs on a gRPC server of this test's own (Netty on a free port, the status
 * mapping interceptor, {@link LogGrpcService}) over the shared test server's database.
 */
@ExtendWith(LabbookServerExtension.class)
class LogGrpcIT extends LogRpcContract {
    private TestServer server;
    private PostgresDatabase database;
    private LogService logs;
    private Server grpc;
    private ManagedChannel channel;

    @BeforeEach
    void start(TestServer server) throws Exception {
        this.server = server;
        database = PostgresDatabase.open(server.database(), 8);
        logs = new LogService(database.trackingStore(), Clock.systemUTC(), Duration.ofMillis(200), 2);
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(16 * 1024 * 1024)
                .addService(ServerInterceptors.intercept(new LogGrpcService(logs), new StatusMappingInterceptor()))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        logs.close();
        grpc.shutdown();
        assertThat(grpc.awaitTermination(5, TimeUnit.SECONDS)).as("graceful shutdown after LogService.close")
                .isTrue();
        database.close();
    }

    @Override
    TestServer server() {
        return server;
    }

    @Override
    ManagedChannel logChannel() {
        return channel;
    }

    @Test
    void aCancelledFollowReleasesItsSubscription() throws Exception {
        String run = run();
        Follower follower = follow(ReadLogsRequest.newBuilder().setRunId(run).build());
        append(run, lines("a", 1));
        follower.awaitLines(1);
        assertThat(logs.openSubscriptions()).isEqualTo(1);
        follower.call.cancel("bye", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (logs.openSubscriptions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(logs.openSubscriptions()).isZero();
    }

    @Test
    void shuttingDownEndsFollowersWithUnavailableSoTheyCanResume() throws Exception {
        String run = run();
        Follower follower = follow(ReadLogsRequest.newBuilder().setRunId(run).build());
        append(run, lines("a", 2));
        follower.awaitLines(2);
        logs.close();
        Throwable error = org.assertj.core.api.Assertions.catchThrowable(follower::awaitEnd).getCause();
        assertThat(error).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("offset 2");
        });
    }
}
