package dev.labbook.server.domain.access;

/** A token just created, with its secret: the only time the secret is known to the server. */
public record NewToken(ApiToken token, String secret) {
    @Override
    public String toString() {
        return "NewToken[token=" + token + ", secret=" + TokenSecrets.displayPrefix(secret) + "...]";
    }
}
