package dev.labbook.server.domain.submit;

import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.artifact.ArtifactPaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of a SubmitSpec that hold whatever the run and target (INVALID_ARGUMENT naming the
 * field as the API spells it, e.g. {@code spec.arguments[3]}). They keep the Job creatable and the
 * pod's command line intact: what Kubernetes would refuse later (a bad quantity) is refused here,
 * with a message the caller can act on.
 */
public final class SubmitSpecChecks {
    public static final int MAX_ARGUMENTS = 1_000;
    public static final int MAX_ARGUMENT_BYTES = 64 * 1024;
    public static final int MAX_PIP_REQUIREMENTS = 200;
    public static final int MAX_REQUIREMENT_BYTES = 1_024;
    public static final int MAX_VARIABLES = 100;
    public static final int MAX_VARIABLE_VALUE_BYTES = 64 * 1024;
    public static final int MAX_SCRIPT_BYTES = 1_024;
    public static final int MAX_IMAGE_BYTES = 512;
    public static final int MAX_GPUS = 64;

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * A Kubernetes quantity without sign: a decimal number with an optional binary (Ki..Ei),
     * decimal (m, k, M..E) or exponent suffix, as {@code resource.Quantity} parses it.
     */
    private static final Pattern QUANTITY =
            Pattern.compile("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?");

    private SubmitSpecChecks() {
    }

    /** Checks every field; returns the spec with its strings trimmed where spaces cannot matter. */
    public static SubmitSpec check(SubmitSpec spec) {
        String target = spec.computeTarget().trim();
        if (target.isEmpty()) {
            throw new InvalidArgumentException("spec.compute_target", "is required (a target of ListComputeTargets)");
        }
        String script = script(spec.script());
        arguments(spec.arguments());
        if (spec.snapshotPath().isEmpty()) {
            throw new InvalidArgumentException("spec.snapshot_path", "is required: the run's INPUT artifact holding "
                    + "the source directory as a gzip'd tar (the SDKs upload snapshot/source.tar.gz)");
        }
        ArtifactPaths.validate("spec.snapshot_path", spec.snapshotPath());
        String image = spec.image().trim();
        if (bytes(image) > MAX_IMAGE_BYTES || image.chars().anyMatch(c -> Character.isWhitespace(c) || c == 0)) {
            throw new InvalidArgumentException("spec.environment.image", "must be an image reference without spaces"
                    + " of at most " + MAX_IMAGE_BYTES + " bytes, got '" + abbreviate(image) + "'");
        }
        requirements(spec.pipRequirements());
        variables(spec.variables());
        String cpu = quantity("spec.resources.cpu", spec.cpu());
        String memory = quantity("spec.resources.memory", spec.memory());
        if (spec.gpu() < 0 || spec.gpu() > MAX_GPUS) {
            throw new InvalidArgumentException("spec.resources.gpu", "must be between 0 and " + MAX_GPUS + ", got "
                    + spec.gpu());
        }
        return new SubmitSpec(target, script, spec.arguments(), spec.snapshotPath(), image, spec.pipRequirements(),
                spec.variables(), cpu, memory, spec.gpu());
    }

    /** A path relative to the source directory that stays inside it. */
    private static String script(String raw) {
        String field = "spec.script";
        if (raw.isBlank()) {
            throw new InvalidArgumentException(field, "is required (e.g. train.py, relative to the source directory)");
        }
        if (bytes(raw) > MAX_SCRIPT_BYTES || raw.indexOf('\0') >= 0) {
            throw new InvalidArgumentException(field, "must be a path of at most " + MAX_SCRIPT_BYTES
                    + " bytes without NUL characters");
        }
        if (raw.startsWith("/") || raw.startsWith("\\") || raw.matches("[A-Za-z]:.*")) {
            throw new InvalidArgumentException(field, "must be relative to the source directory, got '"
                    + abbreviate(raw) + "'");
        }
        for (String segment : raw.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw new InvalidArgumentException(field, "must stay inside the source directory (no '..'), got '"
                        + abbreviate(raw) + "'");
            }
        }
        return raw;
    }

    private static void arguments(List<String> arguments) {
        if (arguments.size() > MAX_ARGUMENTS) {
            throw new InvalidArgumentException("spec.arguments", "has " + arguments.size() + " arguments; at most "
                    + MAX_ARGUMENTS + " allowed");
        }
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.indexOf('\0') >= 0) {
                throw new InvalidArgumentException("spec.arguments[" + i + "]", "contains a NUL character, which no "
                        + "command line can carry");
            }
            if (bytes(argument) > MAX_ARGUMENT_BYTES) {
                throw new InvalidArgumentException("spec.arguments[" + i + "]", "is " + bytes(argument)
                        + " bytes; at most " + MAX_ARGUMENT_BYTES + " allowed");
            }
        }
    }

    private static void requirements(List<String> requirements) {
        if (requirements.size() > MAX_PIP_REQUIREMENTS) {
            throw new InvalidArgumentException("spec.environment.pip_requirements", "has " + requirements.size()
                    + " requirements; at most " + MAX_PIP_REQUIREMENTS + " allowed");
        }
        for (int i = 0; i < requirements.size(); i++) {
            String requirement = requirements.get(i);
            String field = "spec.environment.pip_requirements[" + i + "]";
            if (requirement.isBlank() || bytes(requirement) > MAX_REQUIREMENT_BYTES || requirement.indexOf('\0') >= 0) {
                throw new InvalidArgumentException(field, "must be a requirement such as numpy==2.1 of at most "
                        + MAX_REQUIREMENT_BYTES + " bytes");
            }
            // pip would read "-r file" or "--index-url ..." as options, not as a package.
            if (requirement.strip().startsWith("-")) {
                throw new InvalidArgumentException(field, "must be a requirement, not a pip option: '"
                        + abbreviate(requirement) + "'");
            }
        }
    }

    private static void variables(Map<String, String> variables) {
        if (variables.size() > MAX_VARIABLES) {
            throw new InvalidArgumentException("spec.environment.variables", "has " + variables.size()
                    + " variables; at most " + MAX_VARIABLES + " allowed");
        }
        for (var variable : variables.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            String name = variable.getKey();
            String field = "spec.environment.variables[" + name + "]";
            if (!VARIABLE.matcher(name).matches()) {
                throw new InvalidArgumentException(field, "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (name.startsWith("LABBOOK_")) {
                throw new InvalidArgumentException(field, "LABBOOK_ variables are the runner's own (tracking URI, "
                        + "run id, token); the server sets them");
            }
            String value = variable.getValue();
            if (value.indexOf('\0') >= 0 || bytes(value) > MAX_VARIABLE_VALUE_BYTES) {
                throw new InvalidArgumentException(field, "must be at most " + MAX_VARIABLE_VALUE_BYTES
                        + " bytes without NUL characters");
            }
        }
    }

    private static String quantity(String field, String raw) {
        String value = raw.trim();
        if (!value.isEmpty() && (value.length() > 64 || !QUANTITY.matcher(value).matches())) {
            throw new InvalidArgumentException(field, "must be a Kubernetes quantity such as 2, 500m or 4Gi, got '"
                    + abbreviate(value) + "'");
        }
        return value;
    }

    private static int bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
