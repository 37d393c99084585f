package dev.labbook.server.mlflow;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where an MLflow artifact path points in Labbook. MLflow's proxied-artifact API addresses files
 * relative to the artifact root: a run's artifact URI is {@code mlflow-artifacts:/<exp>/<run>/artifacts},
 * so its files are {@code <exp>/<run>/artifacts/<path>} — the run's artifact at {@code <path>}. A
 * logged model's files are the run's artifacts under {@code models/<model id>/} (its artifact URI
 * is {@code mlflow-artifacts:/<exp>/<run>/artifacts/models/<model id>}). Nothing else exists here:
 * MLflow's own layout for models without a run ({@code <exp>/models/<id>/artifacts/...}) and
 * bare experiment directories are refused with a message saying where Labbook keeps files.
 *
 * <p>The path inside the run is checked by the artifact API itself (the same rules as every
 * upload: no {@code ..}, no absolute paths, no backslashes...); this class only splits it off.
 *
 * @param experimentId the experiment id of the path as given ({@code 0}: the project's Default experiment)
 * @param runId the Labbook run id
 * @param path the path inside the run, empty for the run's artifact root
 */
record ArtifactLocation(String experimentId, String runId, String path) {
    static final String WHERE = "Labbook keeps MLflow artifacts with runs: <experiment id>/<run id>/artifacts/<path> "
            + "(a logged model's files under <experiment id>/<run id>/artifacts/models/<model id>/)";
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * Parses a path relative to the artifact root, percent-escapes already decoded.
     *
     * @throws MlflowException INVALID_PARAMETER_VALUE for a path of another shape,
     *     RESOURCE_DOES_NOT_EXIST for a run id that no Labbook run can have
     */
    static ArtifactLocation parse(String relative) {
        String[] parts = relative.split("/", 4);
        if (parts.length >= 2 && parts[1].equals("models")) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST, "no artifact at '" + relative
                    + "': models without a run have no files in Labbook; " + WHERE);
        }
        if (parts.length < 3 || !parts[2].equals("artifacts") || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw MlflowException.invalid("artifact path '" + relative + "' is not a run's artifact path; " + WHERE);
        }
        if (!UUID_TEXT.matcher(parts[1]).matches()) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST,
                    "Run '" + parts[1] + "' not found (Labbook run ids are UUIDs); " + WHERE);
        }
        String runId = UUID.fromString(parts[1]).toString();
        String path = parts.length == 4 ? parts[3] : "";
        requireSafe(path);
        return new ArtifactLocation(parts[0], runId, path);
    }

    /**
     * Refuses a path that could leave the run's directory, as MLflow's {@code validate_path_is_safe}
     * does. The artifact API checks every path it is given by its own, fuller rules; this check
     * gives listings and deletions (which take prefixes) the same answer.
     */
    static void requireSafe(String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.indexOf('\\') >= 0 || path.startsWith("/") || path.startsWith("~") || path.indexOf('\0') >= 0) {
            throw MlflowException.invalid("Invalid path: '" + path + "' (relative paths with '/' only)");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw MlflowException.invalid("Invalid path: '" + path + "' (no '.', '..' or empty segments)");
            }
        }
    }

    /** The part after {@code artifacts/} (percent-escaped, as in the request line), parsed. */
    static ArtifactLocation fromUrlPath(String escaped) {
        return parse(decode(escaped));
    }

    /** This location's path joined with a child name. */
    String child(String name) {
        return path.isEmpty() ? name : path + "/" + name;
    }

    /**
     * Decodes %XX escapes as Flask does for MLflow's server (UTF-8; {@code +} stays a plus sign).
     * A malformed escape or invalid UTF-8 is INVALID_PARAMETER_VALUE.
     */
    static String decode(String escaped) {
        if (escaped.indexOf('%') < 0) {
            return escaped;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '%') {
                if (i + 2 >= escaped.length()) {
                    throw MlflowException.invalid("artifact path has a malformed %-escape: '" + escaped + "'");
                }
                int hi = Character.digit(escaped.charAt(i + 1), 16);
                int lo = Character.digit(escaped.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw MlflowException.invalid("artifact path has a malformed %-escape: '" + escaped + "'");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < escaped.length()) {
                    encoded = escaped.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw MlflowException.invalid("artifact path is not UTF-8 once its %-escapes are decoded: '" + escaped + "'");
        }
    }
}
