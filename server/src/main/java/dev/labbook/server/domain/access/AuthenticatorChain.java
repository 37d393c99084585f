package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import java.util.List;
import java.util.Optional;

/**
 * The server's authenticators tried in order (API tokens, then JWTs): the first that recognises
 * the credential decides. A credential none recognises is invalid.
 */
public final class AuthenticatorChain {
    private final List<Authenticator> authenticators;

    public AuthenticatorChain(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    /**
     * @param credential the bearer credential, or empty when the call carries none
     * @throws UnauthenticatedException when it is missing or not valid, saying which
     */
    public Principal authenticate(Optional<String> credential) {
        String value = credential.map(String::trim).orElse("");
        if (value.isEmpty()) {
            throw new UnauthenticatedException(ErrorReason.CREDENTIALS_MISSING,
                    "this server requires credentials: send an API token or a JWT as 'authorization: Bearer <token>' "
                            + "(SDKs and CLI: set LABBOOK_TOKEN or run `labbook login`)");
        }
        for (Authenticator authenticator : authenticators) {
            Optional<Principal> principal = authenticator.authenticate(value);
            if (principal.isPresent()) {
                return principal.get();
            }
        }
        throw (UnauthenticatedException) new UnauthenticatedException(ErrorReason.CREDENTIALS_INVALID,
                "the credentials are neither a Labbook API token (lbk_...) nor a JWT this server accepts")
                .with("detail", "unrecognised credential format");
    }
}
