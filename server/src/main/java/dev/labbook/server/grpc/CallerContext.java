package dev.labbook.server.grpc;

import dev.labbook.server.domain.access.Principal;
import io.grpc.Context;

/**
 * The verified caller of the current call, set by the access interceptor before any service
 * method runs (on both ports). With access control off it is {@link Principal#ANONYMOUS}.
 */
public final class CallerContext {
    /** The call's principal; never null inside a service method. */
    public static final Context.Key<Principal> PRINCIPAL = Context.key("labbook-principal");

    /** Metadata key of the credentials: {@code authorization: Bearer <token or JWT>}. */
    public static final String AUTHORIZATION = "authorization";

    /**
     * Cookie of the web UI's session on the HTTP port (HttpOnly, SameSite=Strict): holds the API
     * token the user entered, read like an {@code authorization} header.
     */
    public static final String SESSION_COOKIE = "labbook_session";

    private CallerContext() {
    }

    /**
     * Who code outside an intercepted call runs as: nobody, with no role anywhere. Failing closed:
     * code that forgot to run inside a call can do nothing in anyone's name.
     */
    static final Principal NOBODY = new Principal("nobody", "none", java.util.Map.of(), java.util.Optional.empty(),
            java.util.Optional.empty());

    /** The current call's principal; {@link #NOBODY} outside an intercepted call. */
    public static Principal principal() {
        Principal principal = PRINCIPAL.get();
        return principal == null ? NOBODY : principal;
    }
}
