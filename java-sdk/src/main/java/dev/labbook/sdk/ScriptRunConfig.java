package dev.labbook.sdk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A script to submit as a run (Azure ML's {@code ScriptRunConfig}): the source directory, the
 * script in it, its arguments (given to it unchanged), where it runs ({@link #computeTarget()}:
 * {@value #LOCAL}, this machine, by default; or a server target's name), and for server targets
 * its environment and resources. Build with {@link #builder()}; submit with
 * {@link Experiment#submit(ScriptRunConfig)} or {@link SubmitApi#submit(NewRun, ScriptRunConfig)}.
 *
 * <p>A {@code .py} script runs with {@code python3} (the image's {@code python} on a server
 * target), a {@code .java} file with this JVM's {@code java} (single-file source launch), any
 * other file is executed as it is (it must be executable).
 */
public record ScriptRunConfig(Path sourceDirectory, String script, List<String> arguments, Environment environment,
        String computeTarget, Resources resources) {
    /** The target that runs the script on this machine (never a server target). */
    public static final String LOCAL = "local";

    public ScriptRunConfig {
        sourceDirectory = sourceDirectory == null ? Path.of(".") : sourceDirectory;
        if (script == null || script.isBlank()) {
            throw new IllegalArgumentException("script is required (a path relative to the source directory)");
        }
        arguments = arguments == null ? List.of() : List.copyOf(arguments);
        environment = environment == null ? Environment.DEFAULT : environment;
        computeTarget = computeTarget == null || computeTarget.isBlank() ? LOCAL : computeTarget;
        resources = resources == null ? Resources.NONE : resources;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the script runs on this machine. */
    public boolean isLocal() {
        return LOCAL.equals(computeTarget);
    }

    /**
     * The environment of a submitted script (Azure's {@code Environment}): a container image (empty:
     * the target's default) and pip requirements installed before the script starts, for server
     * targets; extra environment variables, for every target. A local script runs with this
     * machine's interpreters: image and requirements are refused there.
     */
    public record Environment(String image, List<String> pipRequirements, Map<String, String> variables) {
        public static final Environment DEFAULT = new Environment("", List.of(), Map.of());

        public Environment {
            image = image == null ? "" : image;
            pipRequirements = pipRequirements == null ? List.of() : List.copyOf(pipRequirements);
            variables = variables == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        }
    }

    /**
     * What a server target's pod requests: CPU and memory as Kubernetes quantities ({@code 2},
     * {@code 500m}, {@code 4Gi}; empty: none) and a number of GPUs (0: none).
     */
    public record Resources(String cpu, String memory, int gpu) {
        public static final Resources NONE = new Resources("", "", 0);

        public Resources {
            cpu = cpu == null ? "" : cpu;
            memory = memory == null ? "" : memory;
            if (gpu < 0) {
                throw new IllegalArgumentException("resources.gpu must be 0 or more, not " + gpu);
            }
        }
    }

    /** Builds a {@link ScriptRunConfig}; only {@link #script} is required. */
    public static final class Builder {
        private Path sourceDirectory = Path.of(".");
        private String script;
        private final List<String> arguments = new ArrayList<>();
        private String image = "";
        private final List<String> pipRequirements = new ArrayList<>();
        private final Map<String, String> variables = new LinkedHashMap<>();
        private String computeTarget = LOCAL;
        private Resources resources = Resources.NONE;

        private Builder() {
        }

        /** The directory the script runs in (and, for server targets, that is uploaded); default {@code .}. */
        public Builder sourceDirectory(Path dir) {
            this.sourceDirectory = dir;
            return this;
        }

        public Builder sourceDirectory(String dir) {
            return sourceDirectory(Path.of(dir));
        }

        /** The script, relative to the source directory ({@code train.py}, {@code src/train.py}). */
        public Builder script(String script) {
            this.script = script;
            return this;
        }

        /** Arguments given to the script unchanged (replaces earlier ones). */
        public Builder arguments(List<String> args) {
            arguments.clear();
            arguments.addAll(args);
            return this;
        }

        public Builder arguments(String... args) {
            return arguments(List.of(args));
        }

        public Builder environment(Environment environment) {
            this.image = environment.image();
            pipRequirements.clear();
            pipRequirements.addAll(environment.pipRequirements());
            variables.clear();
            variables.putAll(environment.variables());
            return this;
        }

        /** Container image on a server target; empty: the target's default. */
        public Builder image(String image) {
            this.image = image;
            return this;
        }

        /** A pip requirement installed before the script starts on a server target (repeatable). */
        public Builder pipRequirement(String requirement) {
            pipRequirements.add(requirement);
            return this;
        }

        /** An environment variable of the script (repeatable; not {@code LABBOOK_*}). */
        public Builder variable(String name, String value) {
            variables.put(name, value);
            return this;
        }

        /** {@value ScriptRunConfig#LOCAL} (default) or the name of a server compute target. */
        public Builder computeTarget(String target) {
            this.computeTarget = target;
            return this;
        }

        public Builder resources(Resources resources) {
            this.resources = resources;
            return this;
        }

        public Builder resources(String cpu, String memory, int gpu) {
            return resources(new Resources(cpu, memory, gpu));
        }

        public ScriptRunConfig build() {
            return new ScriptRunConfig(sourceDirectory, script, arguments,
                    new Environment(image, pipRequirements, variables), computeTarget, resources);
        }
    }
}
