package dev.labbook.sdk;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a Labbook server says about itself ({@code GetServerInfo}): its version and the base URL
 * of its web UI, from which links to runs and experiments are built.
 *
 * @param version the server's version, e.g. {@code 0.1.0}
 * @param publicUrl the UI's base URL without a trailing slash; empty when the server has no UI
 *     (its HTTP port is off and no {@code --public-url} is set)
 */
public record ServerInfo(String version, Optional<String> publicUrl) {
    public ServerInfo {
        publicUrl = publicUrl.map(u -> u.replaceAll("/+$", "")).filter(u -> !u.isEmpty());
    }

    /** The run page {@code <public_url>/runs/<run_id>}, or empty without a UI. */
    public Optional<String> runUrl(String runId) {
        return publicUrl.map(base -> base + "/runs/" + pathSegment(runId));
    }

    /** The experiment's runs table {@code <public_url>/experiments/<experiment_id>/runs}, or empty without a UI. */
    public Optional<String> experimentUrl(String experimentId) {
        return publicUrl.map(base -> base + "/experiments/" + pathSegment(experimentId) + "/runs");
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, as the UI's links do. */
    static String pathSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
