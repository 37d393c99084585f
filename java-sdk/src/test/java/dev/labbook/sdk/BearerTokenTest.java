package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.GetServerInfoResponse;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.sdk.internal.Environment;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization header on the wire: a real gRPC server on a loopback port records the
 * {@code authorization} metadata of every call (unary, client stream, server stream), and answers
 * UNAUTHENTICATED to the token "revoked".
 */
class BearerTokenTest {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path home;

    private Server server;
    private Target target;
    /** One entry per call: the authorization header, or "(none)". */
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String auth = headers.get(AUTHORIZATION);
                seen.add(auth == null ? "(none)" : auth);
                if ("Bearer revoked".equals(auth)) {
                    call.close(Status.UNAUTHENTICATED.withDescription("token 'ci' was revoked"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new ServerServiceGrpc.ServerServiceImplBase() {
                    @Override
                    public void getServerInfo(GetServerInfoRequest request,
                            StreamObserver<GetServerInfoResponse> response) {
                        response.onNext(GetServerInfoResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }, recorder))
                .addService(ServerInterceptors.intercept(new MetricServiceGrpc.MetricServiceImplBase() {
                    @Override
                    public StreamObserver<LogMetricsRequest> logMetrics(StreamObserver<LogMetricsResponse> response) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(LogMetricsRequest value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                response.onNext(LogMetricsResponse.getDefaultInstance());
                                response.onCompleted();
                            }
                        };
                    }

                    @Override
                    public void getMetricHistory(GetMetricHistoryRequest request,
                            StreamObserver<GetMetricHistoryResponse> response) {
                        response.onCompleted();
                    }
                }, recorder))
                .build().start();
        target = Target.parse("localhost:" + server.getPort());
    }

    @AfterEach
    void stopServer() {
        server.shutdownNow();
    }

    /** A unary call, a client stream and a server stream. */
    private void callEveryKind(LabbookClient client) {
        client.channel(); // the raw channel carries the header too
        ServerServiceGrpc.newBlockingStub(client.channel()).getServerInfo(GetServerInfoRequest.getDefaultInstance());
        client.metrics().send(List.of(MetricBatch.newBuilder().setRunId("r").setWriterId("w").setSequence(1).build()));
        client.metrics().history("r", "loss");
    }

    private LabbookClient connect(Map<String, String> env, String explicit) {
        return LabbookClient.connect(target, ClientOptions.DEFAULT.withToken(explicit), new Environment(env, home));
    }

    @Test
    void noCredentialsNoHeader() {
        try (LabbookClient client = connect(Map.of(), null)) {
            callEveryKind(client);
        }
        assertThat(seen).hasSize(3).containsOnly("(none)");
    }

    @Test
    void theEnvTokenGoesWithEveryKindOfCall() {
        try (LabbookClient client = connect(Map.of("LABBOOK_TOKEN", "lbk_env"), null)) {
            callEveryKind(client);
        }
        assertThat(seen).hasSize(3).containsOnly("Bearer lbk_env");
    }

    @Test
    void theTokenGivenInCodeWins() {
        try (LabbookClient client = connect(Map.of("LABBOOK_TOKEN", "lbk_env"), "lbk_code")) {
            callEveryKind(client);
        }
        assertThat(seen).hasSize(3).containsOnly("Bearer lbk_code");
    }

    @Test
    void theTokenFileIsReadAgainWhenTheKubeletRotatesIt() throws Exception {
        Path tokenFile = home.resolve("token");
        Files.writeString(tokenFile, "sa-token-1\n");
        try (LabbookClient client = connect(Map.of("LABBOOK_TOKEN_FILE", tokenFile.toString()), null)) {
            client.metrics().send(List.of(MetricBatch.newBuilder().setRunId("r").setWriterId("w").setSequence(1).build()));
            Files.writeString(tokenFile, "sa-token-two\n");
            client.metrics().send(List.of(MetricBatch.newBuilder().setRunId("r").setWriterId("w").setSequence(2).build()));
        }
        assertThat(seen).containsExactly("Bearer sa-token-1", "Bearer sa-token-two");
    }

    @Test
    void theCredentialsFileSectionOfThisServer() throws Exception {
        Path file = CredentialsFile.defaultPath(home);
        CredentialsFile.empty().withToken("otherhost:1", "lbk_other").withToken(Credentials.serverKey(target), "lbk_mine")
                .write(file);
        try (LabbookClient client = connect(Map.of(), null)) {
            callEveryKind(client);
        }
        assertThat(seen).hasSize(3).containsOnly("Bearer lbk_mine");
    }

    @Test
    void aRefusedTokenIsAClearTypedError() {
        try (LabbookClient client = connect(Map.of("LABBOOK_TOKEN", "revoked"), null)) {
            assertThatThrownBy(() -> client.server().info()).isInstanceOfSatisfying(UnauthenticatedException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo("UNAUTHENTICATED");
                        assertThat(e.getMessage()).startsWith("token 'ci' was revoked")
                                .contains("LABBOOK_TOKEN", "labbook login");
                    });
        }
    }
}
