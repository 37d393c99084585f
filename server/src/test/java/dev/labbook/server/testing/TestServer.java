package dev.labbook.server.testing;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import io.grpc.ManagedChannel;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A started Labbook server on a free port with a real gRPC channel to it over TCP. */
public final class TestServer {
    private final LabbookServer server;
    private final ManagedChannel channel;
    private final java.nio.file.Path artifactDir;

    TestServer(LabbookServer server, ManagedChannel channel, java.nio.file.Path artifactDir) {
        this.server = server;
        this.channel = channel;
        this.artifactDir = artifactDir;
    }

    /** Root of the server's local artifact store. */
    public java.nio.file.Path artifactDir() {
        return artifactDir;
    }

    public ArtifactServiceGrpc.ArtifactServiceStub artifactsAsync() {
        return ArtifactServiceGrpc.newStub(channel);
    }

    public int port() {
        return server.port();
    }

    /** The HTTP port (web UI, gRPC-Web, JSON). */
    public int httpPort() {
        return server.httpPort().orElseThrow();
    }

    /** {@code http://127.0.0.1:<http port>}, for HTTP requests in tests. */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort();
    }

    /** The public URL the server reports (GetServerInfo) and prints. */
    public java.util.Optional<String> uiUrl() {
        return server.uiUrl();
    }

    public String target() {
        return "localhost:" + server.port();
    }

    public ManagedChannel channel() {
        return channel;
    }

    public ExperimentServiceGrpc.ExperimentServiceBlockingStub experiments() {
        return ExperimentServiceGrpc.newBlockingStub(channel);
    }

    public RunServiceGrpc.RunServiceBlockingStub runs() {
        return RunServiceGrpc.newBlockingStub(channel);
    }

    public MetricServiceGrpc.MetricServiceStub metricsAsync() {
        return MetricServiceGrpc.newStub(channel);
    }

    public MetricServiceGrpc.MetricServiceBlockingStub metrics() {
        return MetricServiceGrpc.newBlockingStub(channel);
    }

    public LogServiceGrpc.LogServiceBlockingStub logs() {
        return LogServiceGrpc.newBlockingStub(channel);
    }

    public ArtifactServiceGrpc.ArtifactServiceBlockingStub artifacts() {
        return ArtifactServiceGrpc.newBlockingStub(channel);
    }

    public dev.labbook.api.v1.AccessServiceGrpc.AccessServiceBlockingStub access() {
        return dev.labbook.api.v1.AccessServiceGrpc.newBlockingStub(channel);
    }

    /** The server itself, for what tests reach around the API (token service, audit writer). */
    public LabbookServer server() {
        return server;
    }

    public DatabaseEndpoint database() {
        return server.database();
    }

    /** A direct JDBC connection to the server's database, for assertions on stored rows. */
    public Connection jdbc() throws SQLException {
        DatabaseEndpoint db = server.database();
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }
}
