package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.GetServerInfoResponse;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.server.domain.ServerInfo;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** ServerService RPCs: what the server says about itself. */
public final class ServerGrpcService extends ServerServiceGrpc.ServerServiceImplBase {
    private final Supplier<ServerInfo> info;

    /** {@code info} is read on every call: the public URL may be known only once the HTTP port listens. */
    public ServerGrpcService(Supplier<ServerInfo> info) {
        this.info = info;
    }

    @Override
    public void getServerInfo(GetServerInfoRequest request, StreamObserver<GetServerInfoResponse> response) {
        ServerInfo server = info.get();
        reply(response, GetServerInfoResponse.newBuilder()
                .setServerInfo(dev.labbook.api.v1.ServerInfo.newBuilder()
                        .setVersion(server.version())
                        .setPublicUrl(server.publicUrl())
                        .setAuthEnabled(server.authEnabled()))
                .build());
    }
}
