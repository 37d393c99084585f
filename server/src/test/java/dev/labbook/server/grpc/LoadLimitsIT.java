package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.LoadLimits;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.SharedPostgres;
import dev.labbook.server.testing.TcpProxy;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits that keep a loaded server bounded, on a real server over TCP: a database pool that
 * stays exhausted answers RESOURCE_EXHAUSTED (SERVER_BUSY) while a database that is down still
 * answers UNAVAILABLE; a client stream that sends nothing is ended after the idle timeout while
 * an active one is not; a connection gets no more concurrent calls than its limit (HTTP/2
 * MAX_CONCURRENT_STREAMS: grpc-java clients queue the extra calls until a stream ends).
 */
class LoadLimitsIT {
    @TempDir
    Path tmp;

    @Test
    void anExhaustedPoolIsServerBusyAndADatabaseThatIsDownIsUnavailable() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_pool_busy_it");
        URI direct = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        try (TcpProxy proxy = TcpProxy.to(direct.getPort());
                LabbookServer server = LabbookServer.start(config(db, proxy, 2,
                        limits -> limits.withDbPoolTimeout(Duration.ofMillis(300))))) {
            List<ManagedChannel> channels = new ArrayList<>();
            ExecutorService callers = Executors.newFixedThreadPool(6);
            try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                // Every read of experiments waits behind this lock, holding its pool connection.
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("LOCK TABLE experiment IN ACCESS EXCLUSIVE MODE");
                }
                List<Future<Status>> calls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ManagedChannel channel = channel(server);
                    channels.add(channel);
                    calls.add(callers.submit(() -> listExperiments(channel)));
                }
                // Two calls hold the two connections; the other four waited 300 ms for one.
                Thread.sleep(1_500);
                List<Status> busy = calls.stream().filter(Future::isDone).map(LoadLimitsIT::result).toList();
                assertThat(busy).hasSize(4).allSatisfy(status -> {
                    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(status.getDescription()).startsWith("server busy");
                });
                holder.rollback();
                for (Future<Status> call : calls) {
                    assertThat(call.get(10, TimeUnit.SECONDS).getCode()).isIn(Status.Code.OK,
                            Status.Code.RESOURCE_EXHAUSTED);
                }
                assertThat(calls.stream().filter(c -> result(c).isOk())).hasSize(2);

                // Free again: calls succeed.
                assertThat(listExperiments(channels.get(0)).getCode()).isEqualTo(Status.Code.OK);
                // The database away: not "busy" but unavailable.
                proxy.cut();
                StatusRuntimeException down = catchThrowableOfType(StatusRuntimeException.class,
                        () -> ExperimentServiceGrpc.newBlockingStub(channels.get(1))
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .listExperiments(ListExperimentsRequest.getDefaultInstance()));
                assertThat(down.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(errorInfo(down).orElseThrow().getReason()).isEqualTo("DATABASE_UNAVAILABLE");
                proxy.restore();
            } finally {
                callers.shutdownNow();
                channels.forEach(ManagedChannel::shutdownNow);
            }
        }
    }

    private static Status result(Future<Status> done) {
        try {
            return done.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The status of ListExperiments; a RESOURCE_EXHAUSTED one must carry reason SERVER_BUSY. */
    private static Status listExperiments(ManagedChannel channel) {
        try {
            ExperimentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .listExperiments(ListExperimentsRequest.getDefaultInstance());
            return Status.OK;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED
                    && !errorInfo(e).map(i -> i.getReason().equals("SERVER_BUSY")).orElse(false)) {
                return Status.INTERNAL.withDescription("RESOURCE_EXHAUSTED without reason SERVER_BUSY: " + e);
            }
            return e.getStatus();
        }
    }

    @Test
    void callsQueueForTheFixedApiThreadsAndHealthStillAnswers() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_api_threads_it");
        try (LabbookServer server = LabbookServer.start(config(db, null, 4, limits -> limits.withApiThreads(1)))) {
            ManagedChannel channel = channel(server);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                assertThat(listExperiments(channel).getCode()).isEqualTo(Status.Code.OK);
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("LOCK TABLE experiment IN ACCESS EXCLUSIVE MODE");
                }
                // The one API thread waits behind the lock; the second call waits for the thread,
                // no thread is added for it.
                Future<Status> first = callers.submit(() -> listExperiments(channel));
                Thread.sleep(200);
                Future<Status> second = callers.submit(() -> listExperiments(channel));
                Thread.sleep(500);
                assertThat(first).isNotDone();
                assertThat(second).isNotDone();
                // A call that needs no database waits for the thread too: no thread is added for it.
                StatusRuntimeException queued = catchThrowableOfType(StatusRuntimeException.class,
                        () -> dev.labbook.api.v1.ServerServiceGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                                .getServerInfo(dev.labbook.api.v1.GetServerInfoRequest.getDefaultInstance()));
                assertThat(queued.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                // Probes do not wait for the API threads.
                for (String service : List.of("", ApiServer.LIVENESS)) {
                    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                }
                holder.rollback();
                assertThat(first.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
                assertThat(second.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
            } finally {
                callers.shutdownNow();
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aClientStreamThatSendsNothingIsEndedAfterTheIdleTimeoutAndAnActiveOneIsNot() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_stream_idle_it");
        try (LabbookServer server = LabbookServer.start(config(db, null, 4,
                limits -> limits.withStreamIdleTimeout(Duration.ofMillis(500))))) {
            ManagedChannel channel = channel(server);
            try {
                String run = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                        .setCreateExperimentIfMissing(true).setExperimentName("idle")
                        .setName("r-" + UUID.randomUUID()).build()).getRun().getId();
                MetricServiceGrpc.MetricServiceStub metrics = MetricServiceGrpc.newStub(channel);
                FirstResponse<LogMetricsResponse> silent = new FirstResponse<>();
                metrics.logMetrics(silent);
                FirstResponse<LogMetricsResponse> quietAfterOne = new FirstResponse<>();
                metrics.logMetrics(quietAfterOne).onNext(request(run, "quiet", 1));
                FirstResponse<LogMetricsResponse> active = new FirstResponse<>();
                StreamObserver<LogMetricsRequest> activeStream = metrics.logMetrics(active);
                // A message every 150 ms for 1.5 s: three times the timeout, never 500 ms apart.
                for (int sequence = 1; sequence <= 10; sequence++) {
                    activeStream.onNext(request(run, "active", sequence));
                    Thread.sleep(150);
                }
                activeStream.onCompleted();
                assertThat(active.await(10).getAcceptedBatches()).isEqualTo(10);

                for (FirstResponse<LogMetricsResponse> idle : List.of(silent, quietAfterOne)) {
                    StatusRuntimeException ended = catchThrowableOfType(StatusRuntimeException.class,
                            () -> idle.await(10));
                    assertThat(ended.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(ended.getStatus().getDescription()).contains("no message on this stream for 500 ms");
                    assertThat(errorInfo(ended).orElseThrow().getReason()).isEqualTo("STREAM_IDLE_TIMEOUT");
                }
                // What the quiet stream sent before it went silent was committed.
                assertThat(MetricServiceGrpc.newBlockingStub(channel).getWriterState(
                        dev.labbook.api.v1.GetWriterStateRequest.newBuilder().setRunId(run).setWriterId("quiet")
                                .build()).getLastSequence()).isEqualTo(1);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aConnectionGetsNoMoreConcurrentCallsThanItsLimitTheRestWait() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_calls_per_conn_it");
        try (LabbookServer server = LabbookServer.start(config(db, null, 4,
                limits -> limits.withMaxCallsPerConnection(2)))) {
            ManagedChannel channel = channel(server);
            ManagedChannel other = channel(server);
            try {
                // Warm up: the server's SETTINGS (MAX_CONCURRENT_STREAMS 2) reach the client.
                assertThat(listExperiments(channel).getCode()).isEqualTo(Status.Code.OK);
                MetricServiceGrpc.MetricServiceStub metrics = MetricServiceGrpc.newStub(channel);
                FirstResponse<LogMetricsResponse> first = new FirstResponse<>();
                StreamObserver<LogMetricsRequest> firstStream = metrics.logMetrics(first);
                FirstResponse<LogMetricsResponse> second = new FirstResponse<>();
                StreamObserver<LogMetricsRequest> secondStream = metrics.logMetrics(second);
                Thread.sleep(200);

                // A third call on the same connection waits in the client for a free stream.
                StatusRuntimeException waited = catchThrowableOfType(StatusRuntimeException.class,
                        () -> ExperimentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                                .listExperiments(ListExperimentsRequest.getDefaultInstance()));
                assertThat(waited.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                // Another connection is not held up.
                assertThat(listExperiments(other).getCode()).isEqualTo(Status.Code.OK);
                // Once a stream ends, the waiting call goes through.
                ExecutorService caller = Executors.newSingleThreadExecutor();
                try {
                    Future<Status> queued = caller.submit(() -> listExperiments(channel));
                    Thread.sleep(200);
                    assertThat(queued).isNotDone();
                    firstStream.onCompleted();
                    first.await(10);
                    assertThat(queued.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
                } finally {
                    caller.shutdownNow();
                }
                secondStream.onCompleted();
                second.await(10);
            } finally {
                channel.shutdownNow();
                other.shutdownNow();
            }
        }
    }

    private static LogMetricsRequest request(String run, String writer, long sequence) {
        return LogMetricsRequest.newBuilder().setBatch(MetricBatch.newBuilder().setRunId(run).setWriterId(writer)
                .setSequence(sequence).addKeys("loss").addKeyIndex(0).addStep(sequence)
                .addTimestampMs(1_700_000_000_000L + sequence).addValue(sequence * 0.5)).build();
    }

    private ServerConfig config(DatabaseEndpoint db, TcpProxy proxy, int poolSize, UnaryOperator<LoadLimits> limits) {
        String url = db.jdbcUrl();
        if (proxy != null) {
            URI direct = URI.create(url.substring("jdbc:".length()));
            url = url.replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/");
        }
        return new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(url), db.user(), db.password(),
                poolSize, 0, 16 * 1024 * 1024, 0, ArtifactConfig.local(tmp.resolve("artifacts")))
                .withOperations(OperationsConfig.minimal().withLimits(limits.apply(LoadLimits.defaults())));
    }

    private static ManagedChannel channel(LabbookServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }
}
