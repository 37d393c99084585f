package dev.labbook.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.submit.ComputeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ComputeTargetsFileTest {
    private static final String FULL = """
            targets:
              - name: gpu
                kind: kubernetes
                namespace: training
                image: ghcr.io/acme/labbook-runner:0.1.0
                serviceAccount: labbook-runner
                trackingUri: labbook.labbook.svc.cluster.local:7800
                tokenAudience: labbook
                nodeSelector: {pool: gpu}
                tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
                gpuResource: nvidia.com/gpu
                maxSnapshotBytes: 104857600
                projects: [vision]
                activeDeadlineSeconds: 3600
                ttlSecondsAfterFinished: -1
                imagePullSecrets: [ghcr]
              - name: cpu
                namespace: training
                image: runner:1
                trackingUri: labbook:7800
            """;

    @TempDir
    Path tmp;

    @Test
    void readsEveryFieldOfTheDocumentedFormat() {
        List<ComputeTarget> targets = ComputeTargetsFile.parse(FULL, "t.yaml");

        assertThat(targets).containsExactly(
                new ComputeTarget("gpu", "training", "ghcr.io/acme/labbook-runner:0.1.0", "labbook-runner",
                        "labbook.labbook.svc.cluster.local:7800", "labbook", Map.of("pool", "gpu"),
                        List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")),
                        "nvidia.com/gpu", 104857600, List.of("vision"), 3600, -1, List.of("ghcr")),
                new ComputeTarget("cpu", "training", "runner:1", "", "labbook:7800", "", Map.of(), List.of(), "",
                        ComputeTargetsFile.DEFAULT_MAX_SNAPSHOT_BYTES, List.of(), 0,
                        ComputeTargetsFile.DEFAULT_TTL_SECONDS_AFTER_FINISHED, List.of()));
        assertThat(ComputeTargetsFile.DEFAULT_MAX_SNAPSHOT_BYTES).isEqualTo(100L * 1024 * 1024);
    }

    @Test
    void noTargetsForAnEmptySettingOrAnEmptyList() {
        assertThat(ComputeTargetsFile.read("", tmp)).isEmpty();
        assertThat(ComputeTargetsFile.parse("targets: []\n", "t.yaml")).isEmpty();
    }

    @Test
    void theLoaderReadsTheFileNamedByTheSettingOrItsEnvironmentVariable() throws IOException {
        Path file = Files.writeString(tmp.resolve("targets.yaml"), FULL);
        Map<Setting, String> flags = new EnumMap<>(Setting.class);

        ServerConfig fromEnv = ServerConfigLoader.load(flags,
                Map.of("LABBOOK_COMPUTE_TARGETS_FILE", file.toString()), null, tmp);
        flags.put(Setting.COMPUTE_TARGETS_FILE, file.toString());
        ServerConfig fromFlag = ServerConfigLoader.load(flags, Map.of(), null, tmp);

        assertThat(fromEnv.computeTargets()).extracting(ComputeTarget::name).containsExactly("gpu", "cpu");
        assertThat(fromFlag.computeTargets()).isEqualTo(fromEnv.computeTargets());
        assertThat(ServerConfigLoader.load(Map.of(), Map.of(), null, tmp).computeTargets()).isEmpty();
    }

    @Test
    void aMissingFileIsAConfigError() {
        assertThatThrownBy(() -> ComputeTargetsFile.read(tmp.resolve("nope.yaml").toString(), tmp))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--compute-targets-file (LABBOOK_COMPUTE_TARGETS_FILE) names no readable file");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "name: Gpu|target 'Gpu': name must be a DNS-1123 label",
        "name: local|target 'local': name 'local' is reserved",
        "kind: slurm|target 'x': kind must be kubernetes",
        "namespace: ''|target 'x': namespace is required",
        "namespace: Bad_NS|target 'x': namespace must be a Kubernetes namespace name",
        "image: ''|target 'x': image is required",
        "trackingUri: ''|target 'x': trackingUri is required",
        "maxSnapshotBytes: 0|target 'x': maxSnapshotBytes must be at least 1, got 0",
        "maxSnapshotBytes: lots|target 'x': maxSnapshotBytes must be a whole number",
        "ttlSecondsAfterFinished: -2|target 'x': ttlSecondsAfterFinished must be between -1 and",
        "activeDeadlineSeconds: -1|target 'x': activeDeadlineSeconds must be at least 0",
        "nodeSelctor: {a: b}|target 'x': nodeSelctor is not a known key",
        "tolerations: [{key: a, operator: Sometimes}]|target 'x': tolerations[0].operator must be Equal or Exists",
        "tolerations: [{key: a, colour: red}]|target 'x': tolerations[0] has the unknown key 'colour'",
        "projects: vision|target 'x': projects must be a list of strings",
        "gpuResource: 'nvidia gpu'|target 'x': gpuResource is not a valid Kubernetes name",
        "serviceAccount: Runner|target 'x': serviceAccount is not a valid Kubernetes name",
    })
    void refusesABadFieldNamingTheTargetAndTheField(String override, String expected) {
        String key = override.substring(0, override.indexOf(':'));
        StringBuilder yaml = new StringBuilder("targets:\n  - ");
        Map<String, String> fields = new java.util.LinkedHashMap<>(Map.of("name", "x", "namespace", "ns",
                "image", "img:1", "trackingUri", "labbook:7800"));
        fields.remove(key);
        boolean first = true;
        if (key.equals("name")) {
            yaml.append(override).append('\n');
            first = false;
        }
        for (var field : fields.entrySet()) {
            yaml.append(first ? "" : "    ").append(field.getKey()).append(": ").append(field.getValue()).append('\n');
            first = false;
        }
        if (!key.equals("name")) {
            yaml.append("    ").append(override).append('\n');
        }

        assertThatThrownBy(() -> ComputeTargetsFile.parse(yaml.toString(), "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--compute-targets-file (LABBOOK_COMPUTE_TARGETS_FILE): t.yaml: ")
                .hasMessageContaining(expected);
    }

    @Test
    void refusesDuplicateNamesUnknownTopLevelKeysAndBrokenYaml() {
        String target = "  - {name: a, namespace: n, image: i, trackingUri: t}\n";
        assertThatThrownBy(() -> ComputeTargetsFile.parse("targets:\n" + target + target, "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("target 'a' is defined twice");
        assertThatThrownBy(() -> ComputeTargetsFile.parse("target:\n" + target, "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'target'");
        assertThatThrownBy(() -> ComputeTargetsFile.parse("targets: [\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("t.yaml is not valid YAML");
        assertThatThrownBy(() -> ComputeTargetsFile.parse("targets:\n  - {namespace: n}\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("targets[0]: 'name' is required");
    }
}
