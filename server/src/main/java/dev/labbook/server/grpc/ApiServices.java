package dev.labbook.server.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.List;

/**
 * The labbook.v1 services as every transport serves them: the gRPC port ({@link ApiServer}) and
 * the HTTP port ({@code dev.labbook.server.http.HttpPort}) take the same service instances with
 * the same interceptors, so a call behaves alike on both (statuses, error details, metrics, the
 * shutdown drain). One {@link StreamDrain} serves both ports: a shutdown ends every stream.
 */
public final class ApiServices {
    private final List<ServerServiceDefinition> definitions;
    private final StreamDrain drain;
    private final List<ServerInterceptor> callInterceptors;

    private ApiServices(List<ServerServiceDefinition> definitions, StreamDrain drain,
            List<ServerInterceptor> callInterceptors) {
        this.definitions = definitions;
        this.drain = drain;
        this.callInterceptors = callInterceptors;
    }

    /**
     * @param access the access check of every call (see {@link AccessInterceptor}); it runs inside
     *     the metrics and error-details interceptors, so its refusals are counted and detailed like
     *     any other status
     */
    public static ApiServices of(RpcObserver rpcs, AccessInterceptor access, List<BindableService> services) {
        StatusMappingInterceptor statusMapping = new StatusMappingInterceptor();
        StreamDrain drain = new StreamDrain();
        List<ServerServiceDefinition> definitions = services.stream()
                .map(service -> ServerInterceptors.intercept(service, statusMapping))
                .toList();
        // In the order of the builders' intercept(...) calls, which run in reverse: metrics
        // outermost, so they see the statuses the drain sets; error details between them, so the
        // drain's statuses get an ErrorInfo too. Access innermost, next to the services: its refusals
        // are counted and detailed like any other status, and a refused call reaches no service.
        List<ServerInterceptor> interceptors = List.of(access, drain, new ErrorDetailsInterceptor(),
                new CallMetricsInterceptor(rpcs));
        return new ApiServices(definitions, drain, interceptors);
    }

    /** Each service with the status mapping of its domain errors. */
    public List<ServerServiceDefinition> definitions() {
        return definitions;
    }

    /**
     * The interceptors of every call, to be added to a server builder one by one in this order
     * (grpc-java and Armeria both run the last added first).
     */
    public List<ServerInterceptor> callInterceptors() {
        return callInterceptors;
    }

    /** Full names of the services, e.g. {@code labbook.v1.RunService}. */
    public List<String> serviceNames() {
        return definitions.stream().map(d -> d.getServiceDescriptor().getName()).toList();
    }

    public StreamDrain drain() {
        return drain;
    }
}
