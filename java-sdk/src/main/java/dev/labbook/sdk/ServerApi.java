package dev.labbook.sdk;

import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.sdk.internal.Calls;
import io.grpc.Channel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Server calls of {@link LabbookClient}. The server's description does not change while it runs,
 * so it is asked once per client and kept (a failed call is not kept: the next one asks again).
 */
public final class ServerApi {
    private final Channel channel;
    private final Calls calls;
    private volatile ServerInfo cached;

    ServerApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    /** The server's version and UI base URL (one {@code GetServerInfo} per client). */
    public ServerInfo info() {
        ServerInfo info = cached;
        if (info == null) {
            ServerServiceGrpc.ServerServiceBlockingStub stub = ServerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            dev.labbook.api.v1.ServerInfo proto = calls.idempotent(
                    () -> stub.getServerInfo(GetServerInfoRequest.getDefaultInstance())).getServerInfo();
            info = new ServerInfo(proto.getVersion(), Optional.of(proto.getPublicUrl()));
            cached = info;
        }
        return info;
    }
}
