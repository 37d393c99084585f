package dev.labbook.server.domain;

/**
 * What clients learn about the server itself.
 *
 * @param version the server's version, e.g. {@code 0.1.0}
 * @param publicUrl base URL of the web UI without a trailing slash; empty when there is none
 * @param authEnabled whether calls must carry credentials ({@code --auth on})
 */
public record ServerInfo(String version, String publicUrl, boolean authEnabled) {
}
