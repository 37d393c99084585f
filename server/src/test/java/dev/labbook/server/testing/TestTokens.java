package dev.labbook.server.testing;

import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.Role;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** API tokens for tests: minted straight through the server's token service, sent as bearer credentials. */
public final class TestTokens {
    /** Who {@link #create} mints as: {@code test-admin}, admin of every project. */
    public static final Principal MINTER = new Principal("test-admin", "none", Map.of(Principal.ALL_PROJECTS, Role.ADMIN),
            Optional.empty(), Optional.empty());

    private static final AtomicInteger COUNT = new AtomicInteger();

    private TestTokens() {
    }

    /** A new token with the role in the project ({@code *}: every project); returns its secret. */
    public static String create(TestServer server, String project, Role role) {
        return create(server, "test-" + project.replace('*', 'x') + "-" + role.key() + "-" + COUNT.incrementAndGet(),
                project, role, 0);
    }

    /** A new token with the name, role, project and lifetime (0: never expires); returns its secret. */
    public static String create(TestServer server, String name, String project, Role role, long ttlSeconds) {
        return server.server().tokens().create(MINTER, name, project, role, ttlSeconds).secret();
    }

    /** Metadata {@code authorization: Bearer <credential>}. */
    public static Metadata bearerHeaders(String credential) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + credential);
        return headers;
    }

    /** Adds {@code authorization: Bearer <credential>} to every call. */
    public static ClientInterceptor bearer(String credential) {
        return MetadataUtils.newAttachHeadersInterceptor(bearerHeaders(credential));
    }

    /** The stub, sending the credential with every call. */
    public static <S extends AbstractStub<S>> S as(S stub, String credential) {
        return stub.withInterceptors(bearer(credential));
    }
}
