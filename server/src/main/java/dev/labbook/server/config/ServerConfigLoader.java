package dev.labbook.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Resolves settings with the precedence flags, then environment variables, then a configuration
 * file, then defaults, and checks each value once.
 */
public final class ServerConfigLoader {
    /**
     * An http(s) URL of a host (and port), nothing after it: the web UI is served at the root of
     * its host (its files refer to /assets/...), so a path could not lead to it.
     */
    private static final Pattern PUBLIC_URL = Pattern.compile("https?://[^/?#\\s]+/*");

    private ServerConfigLoader() {
    }

    /**
     * @param flags values given on the command line (unset settings absent)
     * @param env the process environment
     * @param configFile a properties file, or null; also taken from {@code LABBOOK_CONFIG}
     * @param home the user's home directory, for {@code ~} in paths
     */
    public static ServerConfig load(Map<Setting, String> flags, Map<String, String> env, Path configFile, Path home) {
        String configFromEnv = env.getOrDefault("LABBOOK_CONFIG", "");
        Path file = configFile != null ? configFile : configFromEnv.isEmpty() ? null : Path.of(configFromEnv);
        Properties fromFile = file == null ? new Properties() : readProperties(file);
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = flags.get(setting);
            if (value == null) {
                String fromEnv = env.get(setting.envVar());
                // An empty variable counts as unset, as most tools treat it.
                value = fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
            }
            if (value == null) {
                value = fromFile.getProperty(setting.key());
            }
            // Secrets are used exactly as given: a password may start or end with a space.
            boolean secret = setting == Setting.DB_PASSWORD || setting == Setting.S3_SECRET_KEY
                    || setting == Setting.BOOTSTRAP_TOKEN;
            values.put(setting, value == null ? setting.defaultValue() : secret ? value : value.trim());
        }
        for (Object key : fromFile.keySet()) {
            if (java.util.Arrays.stream(Setting.values()).noneMatch(s -> s.key().equals(key))) {
                throw new ConfigException("unknown setting '" + key + "' in " + file);
            }
        }
        String dbUrl = values.get(Setting.DB_URL);
        if (!dbUrl.isEmpty() && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(describe(Setting.DB_URL)
                    + " must be a PostgreSQL JDBC URL such as jdbc:postgresql://host:5432/labbook, got '" + dbUrl + "'");
        }
        Path dataDir = path(values.get(Setting.DATA_DIR), home);
        String artifactDir = values.get(Setting.ARTIFACT_DIR);
        String s3Endpoint = values.get(Setting.S3_ENDPOINT);
        if (!s3Endpoint.isEmpty() && !s3Endpoint.matches("https?://.+")) {
            throw new ConfigException(describe(Setting.S3_ENDPOINT) + " must be an http:// or https:// URL, got '"
                    + s3Endpoint + "'");
        }
        long maxArtifactBytes = longSetting(values, Setting.MAX_ARTIFACT_BYTES, 1, Long.MAX_VALUE);
        ArtifactConfig artifacts = new ArtifactConfig(
                artifactDir.isEmpty() ? dataDir.resolve("artifacts") : path(artifactDir, home),
                s3Endpoint.isEmpty() ? Optional.empty() : Optional.of(new ArtifactConfig.S3(s3Endpoint,
                        values.get(Setting.S3_REGION), values.get(Setting.S3_BUCKET),
                        values.get(Setting.S3_ACCESS_KEY), values.get(Setting.S3_SECRET_KEY))),
                maxArtifactBytes,
                intSetting(values, Setting.GC_INTERVAL, 0, 7 * 86_400));
        return new ServerConfig(
                values.get(Setting.HOST),
                intSetting(values, Setting.PORT, 0, 65535),
                dataDir,
                dbUrl.isEmpty() ? Optional.empty() : Optional.of(dbUrl),
                values.get(Setting.DB_USER),
                values.get(Setting.DB_PASSWORD),
                intSetting(values, Setting.DB_POOL_SIZE, 1, 1000),
                intSetting(values, Setting.EMBEDDED_DB_PORT, 0, 65535),
                intSetting(values, Setting.MAX_MESSAGE_BYTES, 1024, Integer.MAX_VALUE),
                intSetting(values, Setting.COMPACTION_INTERVAL, 0, 86_400),
                artifacts,
                operations(values, home),
                http(values),
                auth(values),
                java.time.Duration.ofSeconds(intSetting(values, Setting.RUN_LEASE_SECONDS, 1, 7 * 86_400)),
                java.time.Duration.ofMillis(intSetting(values, Setting.LIVE_POLL_INTERVAL_MS, 50, 3_600_000)),
                ComputeTargetsFile.read(values.get(Setting.COMPUTE_TARGETS_FILE), home));
    }

    private static AuthConfig auth(Map<Setting, String> values) {
        boolean enabled = switch (values.get(Setting.AUTH)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new ConfigException(describe(Setting.AUTH) + " must be on or off, got '"
                    + values.get(Setting.AUTH) + "'");
        };
        boolean insecure = bool(values, Setting.INSECURE_NO_AUTH);
        String bootstrap = values.get(Setting.BOOTSTRAP_TOKEN);
        List<AuthConfig.JwtIssuer> issuers = new java.util.ArrayList<>();
        for (String entry : list(values.get(Setting.JWT_ISSUERS))) {
            // ISSUER_URL or ISSUER_URL=KEYS: issuer URLs have no '=' in practice, split at the first.
            int eq = entry.indexOf('=');
            String issuer = eq < 0 ? entry : entry.substring(0, eq).trim();
            String keys = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (!issuer.matches("https?://\\S+")) {
                throw new ConfigException(describe(Setting.JWT_ISSUERS) + ": issuer must be an https:// URL, got '"
                        + issuer + "'");
            }
            issuers.add(new AuthConfig.JwtIssuer(issuer, keys.isEmpty() ? Optional.empty() : Optional.of(keys)));
        }
        List<AuthConfig.JwtRoleBinding> roles = new java.util.ArrayList<>();
        for (String entry : list(values.get(Setting.JWT_ROLES))) {
            java.util.regex.Matcher m = Pattern.compile("([^=\\s]+)=([A-Za-z0-9._*-]+):(viewer|editor|admin)")
                    .matcher(entry);
            if (!m.matches()) {
                throw new ConfigException(describe(Setting.JWT_ROLES)
                        + ": entries are PRINCIPAL=PROJECT:ROLE (ROLE viewer, editor or admin), got '" + entry + "'");
            }
            roles.add(new AuthConfig.JwtRoleBinding(m.group(1), m.group(2), m.group(3)));
        }
        if (!enabled && (!bootstrap.isEmpty() || !issuers.isEmpty())) {
            throw new ConfigException(describe(!bootstrap.isEmpty() ? Setting.BOOTSTRAP_TOKEN : Setting.JWT_ISSUERS)
                    + " needs " + describe(Setting.AUTH) + " on");
        }
        return new AuthConfig(enabled, insecure, bootstrap.isEmpty() ? Optional.empty() : Optional.of(bootstrap),
                issuers, values.get(Setting.JWT_AUDIENCE), roles,
                intSetting(values, Setting.AUDIT_RETENTION_DAYS, 0, 36_500));
    }

    private static List<String> list(String raw) {
        return java.util.Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean bool(Map<Setting, String> values, Setting setting) {
        return switch (values.get(setting)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(describe(setting) + " must be true or false, got '"
                    + values.get(setting) + "'");
        };
    }

    private static HttpConfig http(Map<Setting, String> values) {
        int httpPort = intSetting(values, Setting.HTTP_PORT, 0, 65535);
        if (httpPort != 0) {
            for (Setting other : List.of(Setting.PORT, Setting.METRICS_PORT)) {
                if (httpPort == intSetting(values, other, 0, 65535)) {
                    throw new ConfigException(describe(Setting.HTTP_PORT) + " must differ from " + describe(other)
                            + ", both are " + httpPort);
                }
            }
        }
        String url = values.get(Setting.PUBLIC_URL);
        Optional<String> publicUrl = Optional.empty();
        if (!url.isEmpty()) {
            if (!PUBLIC_URL.matcher(url).matches()) {
                throw new ConfigException(describe(Setting.PUBLIC_URL)
                        + " must be an http:// or https:// URL of a host such as https://labbook.example.com "
                        + "(the web UI is served at the root of its host), got '" + url + "'");
            }
            // Links are built as PUBLIC_URL + "/runs/<id>": one slash, never two.
            publicUrl = Optional.of(url.replaceAll("/+$", ""));
        }
        HttpLimits limits = new HttpLimits(
                intSetting(values, Setting.HTTP_MAX_CONNECTIONS, 1, 1_000_000),
                seconds(values, Setting.HTTP_IDLE_TIMEOUT_SECONDS, 0, 86_400),
                longSetting(values, Setting.HTTP_MAX_REQUEST_BYTES, 1024, Integer.MAX_VALUE),
                seconds(values, Setting.HTTP_REQUEST_TIMEOUT_SECONDS, 0, 86_400));
        return new HttpConfig(httpPort != 0, httpPort, publicUrl, limits);
    }

    private static OperationsConfig operations(Map<Setting, String> values, Path home) {
        String format = values.get(Setting.LOG_FORMAT);
        LogFormat logFormat = java.util.Arrays.stream(LogFormat.values()).filter(f -> f.key().equals(format))
                .findFirst().orElseThrow(() -> new ConfigException(describe(Setting.LOG_FORMAT)
                        + " must be text or json, got '" + format + "'"));
        String cert = values.get(Setting.TLS_CERT_FILE);
        String key = values.get(Setting.TLS_KEY_FILE);
        if (cert.isEmpty() != key.isEmpty()) {
            throw new ConfigException(describe(cert.isEmpty() ? Setting.TLS_CERT_FILE : Setting.TLS_KEY_FILE)
                    + " is required when " + describe(cert.isEmpty() ? Setting.TLS_KEY_FILE : Setting.TLS_CERT_FILE)
                    + " is set");
        }
        Optional<OperationsConfig.Tls> tls = Optional.empty();
        if (!cert.isEmpty()) {
            tls = Optional.of(new OperationsConfig.Tls(readableFile(Setting.TLS_CERT_FILE, cert, home),
                    readableFile(Setting.TLS_KEY_FILE, key, home)));
        }
        int port = intSetting(values, Setting.PORT, 0, 65535);
        int metricsPort = intSetting(values, Setting.METRICS_PORT, 0, 65535);
        int healthPort = intSetting(values, Setting.HEALTH_PORT, 0, 65535);
        if (metricsPort != 0 && metricsPort == port) {
            throw new ConfigException(describe(Setting.METRICS_PORT) + " must differ from " + describe(Setting.PORT)
                    + ", both are " + port);
        }
        if (tls.isPresent() && healthPort != 0 && (healthPort == port || healthPort == metricsPort)) {
            throw new ConfigException(describe(Setting.HEALTH_PORT) + " must differ from the gRPC and metrics ports, got "
                    + healthPort);
        }
        return new OperationsConfig(metricsPort, logFormat, tls, healthPort,
                java.time.Duration.ofSeconds(intSetting(values, Setting.SHUTDOWN_DRAIN_SECONDS, 0, 3600)),
                java.time.Duration.ofSeconds(intSetting(values, Setting.SHUTDOWN_GRACE_SECONDS, 0, 3600)),
                java.time.Duration.ofMillis(intSetting(values, Setting.READINESS_INTERVAL_MS, 0, 3_600_000)),
                java.time.Duration.ofMillis(intSetting(values, Setting.READINESS_TIMEOUT_MS, 100, 60_000)),
                limits(values));
    }

    private static LoadLimits limits(Map<Setting, String> values) {
        return new LoadLimits(
                intSetting(values, Setting.API_THREADS, 1, 10_000),
                intSetting(values, Setting.MAX_CALLS_PER_CONNECTION, 1, 1_000_000),
                seconds(values, Setting.KEEPALIVE_TIME_SECONDS, 1, 86_400),
                seconds(values, Setting.KEEPALIVE_TIMEOUT_SECONDS, 1, 3600),
                // Zero would let a client ping without pause.
                seconds(values, Setting.PERMIT_KEEPALIVE_TIME_SECONDS, 1, 86_400),
                bool(values, Setting.PERMIT_KEEPALIVE_WITHOUT_CALLS),
                seconds(values, Setting.MAX_CONNECTION_IDLE_SECONDS, 0, 30 * 86_400),
                seconds(values, Setting.MAX_CONNECTION_AGE_SECONDS, 0, 30 * 86_400),
                seconds(values, Setting.MAX_CONNECTION_AGE_GRACE_SECONDS, 0, 86_400),
                seconds(values, Setting.STREAM_IDLE_TIMEOUT_SECONDS, 0, 86_400),
                // HikariCP refuses less than 250 ms.
                java.time.Duration.ofMillis(intSetting(values, Setting.DB_POOL_TIMEOUT_MS, 250, 600_000)));
    }

    private static java.time.Duration seconds(Map<Setting, String> values, Setting setting, int min, int max) {
        return java.time.Duration.ofSeconds(intSetting(values, setting, min, max));
    }

    private static Path readableFile(Setting setting, String raw, Path home) {
        Path file = path(raw, home);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(describe(setting) + " names no readable file: " + file);
        }
        return file;
    }

    private static int intSetting(Map<Setting, String> values, Setting setting, int min, int max) {
        return (int) longSetting(values, setting, min, max);
    }

    private static long longSetting(Map<Setting, String> values, Setting setting, long min, long max) {
        String raw = values.get(setting);
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw new ConfigException(describe(setting) + " must be between " + min + " and " + max + ", got " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(setting) + " must be a whole number, got '" + raw + "'");
        }
    }

    private static Path path(String raw, Path home) {
        if (raw.equals("~")) {
            return home;
        }
        if (raw.startsWith("~/")) {
            return home.resolve(raw.substring(2));
        }
        return Path.of(raw).toAbsolutePath();
    }

    private static Properties readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        return properties;
    }

    private static String describe(Setting setting) {
        return setting.flag() + " (" + setting.envVar() + ")";
    }
}
