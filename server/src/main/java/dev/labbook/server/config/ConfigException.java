package dev.labbook.server.config;

/** A setting has a value the server cannot use; the message names the flag and env var. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
