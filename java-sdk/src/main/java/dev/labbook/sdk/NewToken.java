package dev.labbook.sdk;

/**
 * A token just created, with its secret ({@code lbk_...}): the only time the server returns it.
 * {@link #toString()} hides the secret.
 */
public record NewToken(TokenInfo token, String secret) {
    @Override
    public String toString() {
        return "NewToken[token=" + token + ", secret=" + Credentials.mask(secret) + "]";
    }
}
