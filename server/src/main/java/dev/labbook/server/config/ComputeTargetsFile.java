package dev.labbook.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.labbook.server.domain.submit.ComputeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code --compute-targets-file} (YAML, the format in docs/configuration.md) into
 * {@link ComputeTarget}s. Every field is checked here, at start, with a message naming the target
 * and the field: a typo in a key would otherwise silently drop a setting (an unknown key is refused),
 * and a bad namespace would only show when the first Job is created.
 */
public final class ComputeTargetsFile {
    /** The default of {@code maxSnapshotBytes}: 100 MiB. */
    public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 100L * 1024 * 1024;
    /** The default of {@code ttlSecondsAfterFinished}: finished Jobs are cleaned up after a day. */
    public static final int DEFAULT_TTL_SECONDS_AFTER_FINISHED = 86_400;

    /** A DNS-1123 label: target names, namespaces (Kubernetes' own rule for namespaces). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** A DNS-1123 subdomain: ServiceAccount and Secret names, extended resource names' parts. */
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** An extended resource name such as {@code nvidia.com/gpu}. */
    private static final Pattern RESOURCE = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Set<String> KEYS = Set.of("name", "kind", "namespace", "image", "serviceAccount",
            "trackingUri", "tokenAudience", "nodeSelector", "tolerations", "gpuResource", "maxSnapshotBytes",
            "projects", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "imagePullSecrets");
    private static final Set<String> TOLERATION_KEYS = Set.of("key", "operator", "value", "effect",
            "tolerationSeconds");

    private final String source;

    private ComputeTargetsFile(String source) {
        this.source = source;
    }

    /** The targets of the file; none for an empty setting. */
    public static List<ComputeTarget> read(String setting, Path home) {
        if (setting.isEmpty()) {
            return List.of();
        }
        Path file = setting.equals("~") ? home : setting.startsWith("~/") ? home.resolve(setting.substring(2))
                : Path.of(setting).toAbsolutePath();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(describe() + " names no readable file: " + file + " (" + e.getMessage() + ")");
        }
        return parse(text, file.toString());
    }

    /** The targets of YAML {@code text}; {@code source} names it in errors. */
    public static List<ComputeTarget> parse(String text, String source) {
        return new ComputeTargetsFile(source).targets(text);
    }

    private List<ComputeTarget> targets(String text) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(describe() + ": " + source + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw fail("must be a mapping with the key 'targets' (a list of targets)");
        }
        root.properties().forEach(entry -> {
            String key = entry.getKey();
            if (!key.equals("targets")) {
                throw fail("unknown key '" + key + "' (only 'targets')");
            }
        });
        JsonNode list = root.get("targets");
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw fail("'targets' must be a list");
        }
        List<ComputeTarget> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            ComputeTarget target = target(list.get(i), i);
            if (!names.add(target.name())) {
                throw fail("target '" + target.name() + "' is defined twice");
            }
            targets.add(target);
        }
        return List.copyOf(targets);
    }

    private ComputeTarget target(JsonNode node, int index) {
        if (!node.isObject()) {
            throw fail("targets[" + index + "] must be a mapping");
        }
        JsonNode nameNode = node.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isEmpty()) {
            throw fail("targets[" + index + "]: 'name' is required");
        }
        String name = nameNode.asText();
        Fields fields = new Fields(node, "target '" + name + "'");
        if (!LABEL.matcher(name).matches() || name.length() > 63) {
            throw fields.invalid("name", "must be a DNS-1123 label ([a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 "
                    + "characters), got '" + name + "'");
        }
        if (name.equals("local")) {
            throw fields.invalid("name", "'local' is reserved: local submissions run on the caller's machine");
        }
        node.properties().forEach(entry -> {
            String key = entry.getKey();
            if (!KEYS.contains(key)) {
                throw fields.invalid(key, "is not a known key (known: " + String.join(", ", KEYS.stream().sorted()
                        .toList()) + ")");
            }
        });
        String kind = fields.text("kind", "kubernetes");
        if (!kind.equals("kubernetes")) {
            throw fields.invalid("kind", "must be kubernetes (the only kind), got '" + kind + "'");
        }
        String namespace = fields.required("namespace");
        if (!LABEL.matcher(namespace).matches() || namespace.length() > 63) {
            throw fields.invalid("namespace", "must be a Kubernetes namespace name (DNS-1123 label), got '"
                    + namespace + "'");
        }
        String image = fields.required("image");
        if (image.chars().anyMatch(Character::isWhitespace)) {
            throw fields.invalid("image", "must be an image reference without spaces, got '" + image + "'");
        }
        String serviceAccount = fields.name("serviceAccount", SUBDOMAIN);
        String trackingUri = fields.required("trackingUri");
        String tokenAudience = fields.text("tokenAudience", "");
        String gpuResource = fields.name("gpuResource", RESOURCE);
        long maxSnapshotBytes = fields.number("maxSnapshotBytes", DEFAULT_MAX_SNAPSHOT_BYTES, 1, Long.MAX_VALUE);
        long deadline = fields.number("activeDeadlineSeconds", 0, 0, Long.MAX_VALUE);
        int ttl = (int) fields.number("ttlSecondsAfterFinished", DEFAULT_TTL_SECONDS_AFTER_FINISHED, -1,
                Integer.MAX_VALUE);
        List<String> pullSecrets = fields.texts("imagePullSecrets");
        for (String secret : pullSecrets) {
            if (!SUBDOMAIN.matcher(secret).matches()) {
                throw fields.invalid("imagePullSecrets", "'" + secret + "' is not a Secret name");
            }
        }
        return new ComputeTarget(name, namespace, image, serviceAccount, trackingUri, tokenAudience,
                fields.textMap("nodeSelector"), fields.tolerations(), gpuResource, maxSnapshotBytes,
                fields.texts("projects"), deadline, ttl, pullSecrets);
    }

    /** The fields of one target, each read with a message naming the target and the field. */
    private final class Fields {
        private final JsonNode node;
        private final String target;

        Fields(JsonNode node, String target) {
            this.node = node;
            this.target = target;
        }

        ConfigException invalid(String field, String message) {
            return fail(target + ": " + field + " " + message);
        }

        String text(String field, String fallback) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isValueNode() || value.isBinary()) {
                throw invalid(field, "must be a string");
            }
            return value.asText().trim();
        }

        String required(String field) {
            String value = text(field, "");
            if (value.isEmpty()) {
                throw invalid(field, "is required");
            }
            return value;
        }

        String name(String field, Pattern syntax) {
            String value = text(field, "");
            if (!value.isEmpty() && !syntax.matcher(value).matches()) {
                throw invalid(field, "is not a valid Kubernetes name: '" + value + "'");
            }
            return value;
        }

        long number(String field, long fallback, long min, long max) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw invalid(field, "must be a whole number, got '" + value.asText() + "'");
            }
            long number = value.asLong();
            if (number < min || number > max) {
                throw invalid(field, "must be " + (max == Long.MAX_VALUE ? "at least " + min
                        : "between " + min + " and " + max) + ", got " + number);
            }
            return number;
        }

        List<String> texts(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (!value.isArray()) {
                throw invalid(field, "must be a list of strings");
            }
            List<String> texts = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isTextual() || item.asText().isBlank()) {
                    throw invalid(field, "must be a list of non-empty strings");
                }
                texts.add(item.asText().trim());
            }
            return texts;
        }

        Map<String, String> textMap(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return Map.of();
            }
            if (!value.isObject()) {
                throw invalid(field, "must be a mapping of strings");
            }
            Map<String, String> map = new LinkedHashMap<>();
            value.properties().forEach(entry -> {
                if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                    throw invalid(field, "value of '" + entry.getKey() + "' must be a string");
                }
                map.put(entry.getKey(), entry.getValue().asText());
            });
            return map;
        }

        List<Map<String, String>> tolerations() {
            JsonNode value = node.get("tolerations");
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (!value.isArray()) {
                throw invalid("tolerations", "must be a list of tolerations");
            }
            List<Map<String, String>> tolerations = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                String field = "tolerations[" + i + "]";
                if (!item.isObject()) {
                    throw invalid(field, "must be a mapping (key, operator, value, effect, tolerationSeconds)");
                }
                Map<String, String> toleration = new LinkedHashMap<>();
                item.properties().forEach(entry -> {
                    if (!TOLERATION_KEYS.contains(entry.getKey())) {
                        throw invalid(field, "has the unknown key '" + entry.getKey()
                                + "' (known: key, operator, value, effect, tolerationSeconds)");
                    }
                    if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                        throw invalid(field + "." + entry.getKey(), "must be a string");
                    }
                    toleration.put(entry.getKey(), entry.getValue().asText());
                });
                String operator = toleration.getOrDefault("operator", "Equal");
                if (!operator.equals("Equal") && !operator.equals("Exists")) {
                    throw invalid(field + ".operator", "must be Equal or Exists, got '" + operator + "'");
                }
                if (toleration.containsKey("tolerationSeconds")
                        && !toleration.get("tolerationSeconds").matches("-?[0-9]{1,18}")) {
                    throw invalid(field + ".tolerationSeconds", "must be a whole number");
                }
                tolerations.add(toleration);
            }
            return tolerations;
        }
    }

    private ConfigException fail(String message) {
        return new ConfigException(describe() + ": " + source + ": " + message);
    }

    private static String describe() {
        return Setting.COMPUTE_TARGETS_FILE.flag() + " (" + Setting.COMPUTE_TARGETS_FILE.envVar() + ")";
    }
}
