package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.LoadLimits;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams that poll the database (log follow, WatchRun) while the database pool is exhausted by
 * other calls: the followers are told RESOURCE_EXHAUSTED, reason SERVER_BUSY ("server busy,
 * retry"), as unary calls are, not INTERNAL and not silence. A pool of two, both connections held
 * by calls waiting behind a lock on the artifact table, and a pool timeout of 300 ms.
 */
class BusyFollowersIT {
    @TempDir
    Path tmp;

    @Test
    void aFollowAndAWatchAreToldServerBusyWhenThePoolStaysExhausted() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_busy_followers_it");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()), db.user(),
                db.password(), 2, 0, 16 * 1024 * 1024, 0, ArtifactConfig.local(tmp.resolve("artifacts")))
                .withOperations(OperationsConfig.minimal().withLimits(
                        LoadLimits.defaults().withDbPoolTimeout(Duration.ofMillis(300))));
        ExecutorService holders = Executors.newFixedThreadPool(2);
        try (LabbookServer server = LabbookServer.start(config)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try (Connection lock = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                        .setCreateExperimentIfMissing(true).setExperimentName("busy").setName("followed").build())
                        .getRun().getId();
                BlockingQueue<Object> follow = new LinkedBlockingQueue<>();
                LogServiceGrpc.newStub(channel).readLogs(ReadLogsRequest.newBuilder().setRunId(runId).setFollow(true)
                        .build(), collect(follow));
                BlockingQueue<Object> watch = new LinkedBlockingQueue<>();
                RunServiceGrpc.newStub(channel).watchRun(WatchRunRequest.newBuilder().setRunId(runId).build(),
                        collect(watch));
                assertThat(watch.poll(10, TimeUnit.SECONDS)).isInstanceOf(WatchRunResponse.class);
                // Both followers are polling now; the follow has sent nothing (an empty log).
                Thread.sleep(1_000);
                assertThat(follow).isEmpty();

                // Two calls take the pool's two connections and wait behind the lock, on a table
                // the followers do not read (so that no poll waits behind it holding a connection).
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    s.execute("LOCK TABLE artifact IN ACCESS EXCLUSIVE MODE");
                }
                for (int i = 0; i < 2; i++) {
                    holders.submit(() -> {
                        try {
                            return ArtifactServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                                    .listArtifacts(ListArtifactsRequest.newBuilder().setRunId(runId).build());
                        } catch (StatusRuntimeException e) {
                            return e.getStatus();
                        }
                    });
                }

                assertServerBusy(follow.poll(15, TimeUnit.SECONDS), "log follow");
                assertServerBusy(watch.poll(15, TimeUnit.SECONDS), "WatchRun");
                lock.rollback();
            } finally {
                channel.shutdownNow();
            }
        } finally {
            holders.shutdownNow();
        }
    }

    private static void assertServerBusy(Object event, String stream) {
        assertThat(event).as("%s ends with an error", stream).isInstanceOf(StatusRuntimeException.class);
        StatusRuntimeException error = (StatusRuntimeException) event;
        assertThat(error.getStatus().getCode()).as("%s: %s", stream, error).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(error.getStatus().getDescription()).startsWith("server busy");
        assertThat(errorInfo(error).orElseThrow().getReason()).isEqualTo("SERVER_BUSY");
    }

    /** Puts each message, then the error (as StatusRuntimeException) or "completed", in the queue. */
    private static <T> StreamObserver<T> collect(BlockingQueue<Object> events) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                if (!(value instanceof ReadLogsResponse logs) || logs.getLinesCount() > 0) {
                    events.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                events.add(t instanceof StatusRuntimeException sre ? sre : Status.fromThrowable(t).asRuntimeException());
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        };
    }
}
