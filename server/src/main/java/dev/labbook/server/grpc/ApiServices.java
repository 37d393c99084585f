package dev.labbook.server.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The labbook.v1 services as every transport serves them: the gRPC port ({@link ApiServer}) and
 * the HTTP port ({@code dev.labbook.server.http.HttpPort}) take the same service instances with
 * the same interceptors, so a call behaves alike on both (statuses, error details, metrics, the
 * shutdown drain). One {@link StreamDrain} serves both ports: a shutdown ends every stream.
 */
public final class ApiServices {
    private final List<ServerServiceDefinition> definitions;
    private final List<ServerServiceDefinition> protoDefinitions;
    private final StreamDrain drain;
    private final List<ServerInterceptor> callInterceptors;
    private final RpcObserver rpcs;

    private ApiServices(List<ServerServiceDefinition> definitions, List<ServerServiceDefinition> protoDefinitions,
            StreamDrain drain, List<ServerInterceptor> callInterceptors, RpcObserver rpcs) {
        this.definitions = definitions;
        this.protoDefinitions = protoDefinitions;
        this.rpcs = rpcs;
        this.drain = drain;
        this.callInterceptors = callInterceptors;
    }

    /**
     * @param serviceInterceptors the checks of every call next to the services, first listed
     *     runs first (e.g. the {@link AccessInterceptor}, and later others); they run inside the
     *     metrics and error-details interceptors, so their refusals are counted and detailed like
     *     any other status, and a refused call reaches no service
     * @param services the services to serve; their names come from their descriptors
     */
    public static ApiServices of(RpcObserver rpcs, List<ServerInterceptor> serviceInterceptors,
            List<BindableService> services) {
        StatusMappingInterceptor statusMapping = new StatusMappingInterceptor();
        StreamDrain drain = new StreamDrain();
        // intercept(...) runs its arguments in reverse: the given interceptors in their order, then
        // the status mapping next to the services. They read request fields, so the parse guard of
        // the gRPC port sits outside them.
        List<ServerInterceptor> nextToServices = new ArrayList<>(serviceInterceptors);
        Collections.reverse(nextToServices);
        nextToServices.add(0, statusMapping);
        List<ServerServiceDefinition> protoDefinitions = services.stream()
                .map(service -> ServerInterceptors.intercept(service, nextToServices))
                .toList();
        List<ServerServiceDefinition> definitions = protoDefinitions.stream()
                .map(RequestParseGuard::guard)
                .toList();
        // In the order of the builders' intercept(...) calls, which run in reverse: metrics
        // outermost, so they see the statuses the drain and the parse guard set; error details
        // between them, so those statuses get an ErrorInfo too.
        List<ServerInterceptor> interceptors = List.of(drain, new ErrorDetailsInterceptor(),
                new CallMetricsInterceptor(rpcs));
        return new ApiServices(definitions, protoDefinitions, drain, interceptors, rpcs);
    }

    /**
     * Each service with the status mapping of its domain errors and the access check, its
     * requests read by a marshaller that never throws: a request that does not parse is answered
     * INVALID_ARGUMENT (see {@link RequestParseGuard}). For the gRPC port.
     */
    public List<ServerServiceDefinition> definitions() {
        return definitions;
    }

    /**
     * The same services with the protobuf marshallers of their methods, for a transport that
     * needs them (the HTTP port's Armeria reads a message's prototype to serve JSON) and answers
     * unparsable requests itself.
     */
    public List<ServerServiceDefinition> protoDefinitions() {
        return protoDefinitions;
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

    /**
     * Where calls are counted, for a transport that ends some calls before the interceptors see
     * them (the HTTP port: a request that does not parse).
     */
    public RpcObserver rpcs() {
        return rpcs;
    }

    public StreamDrain drain() {
        return drain;
    }
}
