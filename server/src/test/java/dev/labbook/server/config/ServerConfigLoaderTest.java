package dev.labbook.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerConfigLoaderTest {
    private static final OperationsConfig DEFAULT_OPERATIONS = new OperationsConfig(9464, LogFormat.TEXT,
            Optional.empty(), 7801, java.time.Duration.ZERO, java.time.Duration.ofSeconds(20));
    private static final HttpConfig DEFAULT_HTTP = HttpConfig.on(7880);
    @TempDir
    Path tmp;

    private Path home;
    private final Map<Setting, String> flags = new EnumMap<>(Setting.class);
    private final Map<String, String> env = new HashMap<>();
    private Path configFile;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectory(tmp.resolve("home"));
    }

    private Path writeConfig(String name, String... lines) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, java.util.List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    private ServerConfig load() {
        return ServerConfigLoader.load(flags, env, configFile, home);
    }

    @Test
    void usesTheDefaultsWhenNothingIsGiven() {
        ServerConfig config = load();

        assertThat(config).isEqualTo(new ServerConfig("127.0.0.1", 7800, home.resolve(".labbook"), Optional.empty(),
                "", "", 10, 0, 16 * 1024 * 1024, 60,
                ArtifactConfig.local(home.resolve(".labbook").resolve("artifacts")), DEFAULT_OPERATIONS, DEFAULT_HTTP));
        assertThat(config.embeddedDatabase()).isTrue();
        assertThat(config.runLease()).isEqualTo(java.time.Duration.ofSeconds(300));
    }

    @Nested
    class Precedence {
        @BeforeEach
        void fileSetsEverySettingItTests() throws IOException {
            configFile = writeConfig("labbook.properties", "port=1111", "host=file-host", "db-pool-size=11");
        }

        @Test
        void aFlagBeatsTheEnvironmentTheFileAndTheDefault() {
            env.put("LABBOOK_PORT", "2222");
            flags.put(Setting.PORT, "3333");

            assertThat(load().port()).isEqualTo(3333);
        }

        @Test
        void theEnvironmentBeatsTheFile() {
            env.put("LABBOOK_PORT", "2222");

            assertThat(load().port()).isEqualTo(2222);
        }

        @Test
        void theFileBeatsTheDefault() {
            assertThat(load().port()).isEqualTo(1111);
        }

        @Test
        void appliesPerSetting() {
            flags.put(Setting.PORT, "3333");
            env.put("LABBOOK_HOST", "env-host");

            ServerConfig config = load();

            assertThat(config.port()).isEqualTo(3333);
            assertThat(config.host()).isEqualTo("env-host");
            assertThat(config.dbPoolSize()).isEqualTo(11);
            assertThat(config.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        }

        @Test
        void anEmptyEnvironmentVariableCountsAsUnset() {
            env.put("LABBOOK_PORT", "");
            env.put("LABBOOK_MAX_MESSAGE_BYTES", "");

            ServerConfig config = load();

            assertThat(config.port()).isEqualTo(1111);
            assertThat(config.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        }

        @Test
        void ignoresUnrelatedEnvironmentVariables() {
            env.put("PORT", "9999");
            env.put("LABBOOK_PORTS", "9999");

            assertThat(load().port()).isEqualTo(1111);
        }
    }

    @Nested
    class ConfigurationFile {
        @Test
        void readsEverySettingFromAPropertiesFile() throws IOException {
            configFile = writeConfig("all.properties",
                    "# Labbook settings",
                    "",
                    "host=127.0.0.1",
                    "port = 7900",
                    "data-dir=/srv/labbook",
                    "db-url=jdbc:postgresql://db:5432/labbook",
                    "db-user=labbook",
                    "db-password=s3cret",
                    "db-pool-size=20",
                    "embedded-db-port=5433",
                    "max-message-bytes=1048576");

            assertThat(load()).isEqualTo(new ServerConfig("127.0.0.1", 7900, Path.of("/srv/labbook"),
                    Optional.of("jdbc:postgresql://db:5432/labbook"), "labbook", "s3cret", 20, 5433, 1048576, 60,
                    ArtifactConfig.local(Path.of("/srv/labbook/artifacts")), DEFAULT_OPERATIONS, DEFAULT_HTTP));
        }

        @Test
        void isTakenFromLabbookConfigWhenNoFileIsGiven() throws IOException {
            env.put("LABBOOK_CONFIG", writeConfig("env.properties", "port=4444").toString());

            assertThat(load().port()).isEqualTo(4444);
        }

        @Test
        void anExplicitFileBeatsLabbookConfig() throws IOException {
            env.put("LABBOOK_CONFIG", writeConfig("env.properties", "port=4444").toString());
            configFile = writeConfig("flag.properties", "port=5555");

            assertThat(load().port()).isEqualTo(5555);
        }

        @Test
        void rejectsUnknownKeysNamingKeyAndFile() throws IOException {
            configFile = writeConfig("typo.properties", "port=7800", "db_url=jdbc:postgresql://db/labbook");

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("unknown setting 'db_url' in " + configFile);
        }

        @ParameterizedTest
        @ValueSource(strings = {"Port=1", "--port=1", "config=other.properties", "LABBOOK_PORT=1"})
        void acceptsOnlyTheFlagNamesWithoutDashesAsKeys(String line) throws IOException {
            configFile = writeConfig("wrong.properties", line);

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("unknown setting '");
        }

        @Test
        void reportsAMissingFile() {
            configFile = tmp.resolve("missing.properties");

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("cannot read configuration file " + configFile);
        }

        @Test
        void reportsAMissingFileNamedByLabbookConfig() {
            env.put("LABBOOK_CONFIG", tmp.resolve("gone.properties").toString());

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("gone.properties");
        }

        @Test
        void namesFlagAndEnvVarWhenAFileValueIsInvalid() throws IOException {
            configFile = writeConfig("bad.properties", "db-pool-size=lots");

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--db-pool-size (LABBOOK_DB_POOL_SIZE) must be a whole number, got 'lots'");
        }
    }

    @Nested
    class Values {
        @Test
        void insecureNoAuthIsOffByDefaultAndTurnedOnByFlagOrEnvironment() {
            assertThat(load().auth().insecureNoAuth()).isFalse();
            env.put("LABBOOK_INSECURE_NO_AUTH", "true");
            assertThat(load().auth().insecureNoAuth()).isTrue();
            flags.put(Setting.INSECURE_NO_AUTH, "false");
            assertThat(load().auth().insecureNoAuth()).as("the flag wins").isFalse();
            flags.put(Setting.INSECURE_NO_AUTH, "yes");
            assertThatThrownBy(() -> load()).isInstanceOf(ConfigException.class)
                    .hasMessage("--insecure-no-auth (LABBOOK_INSECURE_NO_AUTH) must be true or false, got 'yes'");
        }

        @Test
        void trimsGivenValues() {
            flags.put(Setting.PORT, " 8080 ");
            env.put("LABBOOK_HOST", "  localhost\t");

            ServerConfig config = load();

            assertThat(config.port()).isEqualTo(8080);
            assertThat(config.host()).isEqualTo("localhost");
        }

        @ParameterizedTest
        @CsvSource({
            "PORT, 0, 65535",
            "EMBEDDED_DB_PORT, 0, 65535",
            "DB_POOL_SIZE, 1, 1000",
            "MAX_MESSAGE_BYTES, 1024, 2147483647",
            "RUN_LEASE_SECONDS, 1, 604800",
        })
        void acceptsWholeNumbersWithinTheRange(Setting setting, int min, int max) {
            for (int accepted : new int[] {min, max}) {
                flags.put(setting, Integer.toString(accepted));
                ServerConfig config = load();
                int actual = switch (setting) {
                    case PORT -> config.port();
                    case EMBEDDED_DB_PORT -> config.embeddedDbPort();
                    case DB_POOL_SIZE -> config.dbPoolSize();
                    case MAX_MESSAGE_BYTES -> config.maxMessageBytes();
                    case RUN_LEASE_SECONDS -> (int) config.runLease().toSeconds();
                    default -> throw new AssertionError(setting);
                };
                assertThat(actual).isEqualTo(accepted);
            }
        }

        @ParameterizedTest
        @CsvSource({
            "PORT, 0, 65535",
            "EMBEDDED_DB_PORT, 0, 65535",
            "DB_POOL_SIZE, 1, 1000",
            "MAX_MESSAGE_BYTES, 1024, 2147483647",
            "RUN_LEASE_SECONDS, 1, 604800",
        })
        void rejectsWholeNumbersOutsideTheRangeNamingFlagAndEnvVar(Setting setting, int min, int max) {
            flags.put(setting, Integer.toString(min - 1));
            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(setting.flag() + " (" + setting.envVar() + ") must be between " + min + " and " + max
                            + ", got " + (min - 1));

            if (max < Integer.MAX_VALUE) {
                flags.put(setting, Integer.toString(max + 1));
                assertThatThrownBy(ServerConfigLoaderTest.this::load)
                        .isInstanceOf(ConfigException.class)
                        .hasMessageContaining("must be between " + min + " and " + max);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "80.5", "1e3", "0x50", "80 80", "99999999999999999999"})
        void rejectsNonNumbersNamingFlagAndEnvVar(String raw) {
            env.put("LABBOOK_PORT", raw);

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--port (LABBOOK_PORT) must be a whole number, got '" + raw + "'");
        }

        @Test
        void rejectsAnEmptyFlagValue() {
            flags.put(Setting.PORT, "");

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--port (LABBOOK_PORT) must be a whole number, got ''");
        }

        @Test
        void rejectsAMessageSizeBeyondInt32AsOutOfRange() {
            flags.put(Setting.MAX_MESSAGE_BYTES, "2147483648");

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--max-message-bytes (LABBOOK_MAX_MESSAGE_BYTES) must be between 1024 and "
                            + Integer.MAX_VALUE + ", got 2147483648");
        }

        @Test
        void keepsThePasswordExactlyAsGiven() {
            env.put("LABBOOK_DB_PASSWORD", " secret ");

            assertThat(load().dbPassword()).isEqualTo(" secret ");
        }

        @Test
        void anEmptyConfigVariableMeansNoFile() {
            env.put("LABBOOK_CONFIG", "");

            assertThat(load().port()).isEqualTo(7800);
        }

        @Test
        void acceptsAPostgresJdbcUrlWithCredentials() {
            flags.put(Setting.DB_URL, "jdbc:postgresql://db.internal:5432/labbook?sslmode=require");
            env.put("LABBOOK_DB_USER", "tracker");
            env.put("LABBOOK_DB_PASSWORD", "pw");

            ServerConfig config = load();

            assertThat(config.dbUrl()).contains("jdbc:postgresql://db.internal:5432/labbook?sslmode=require");
            assertThat(config.embeddedDatabase()).isFalse();
            assertThat(config.dbUser()).isEqualTo("tracker");
            assertThat(config.dbPassword()).isEqualTo("pw");
        }

        @ParameterizedTest
        @ValueSource(strings = {"postgresql://db:5432/labbook", "jdbc:mysql://db/labbook", "db:5432",
            "JDBC:POSTGRESQL://db/labbook"})
        void rejectsOtherDbUrlsNamingFlagAndEnvVar(String url) {
            env.put("LABBOOK_DB_URL", url);

            assertThatThrownBy(ServerConfigLoaderTest.this::load)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("--db-url (LABBOOK_DB_URL) must be a PostgreSQL JDBC URL")
                    .hasMessageEndingWith("got '" + url + "'");
        }
    }

    @Nested
    class DataDir {
        private Path dataDirFor(String raw) {
            flags.put(Setting.DATA_DIR, raw);
            return load().dataDir();
        }

        @Test
        void expandsTildeToTheHomeDirectory() {
            assertThat(dataDirFor("~")).isEqualTo(home);
            assertThat(dataDirFor("~/labbook-data")).isEqualTo(home.resolve("labbook-data"));
            assertThat(dataDirFor("~/a/b")).isEqualTo(home.resolve("a/b"));
        }

        @Test
        void expandsTildeInValuesFromTheEnvironmentAndTheFile() throws IOException {
            env.put("LABBOOK_DATA_DIR", "~/from-env");
            assertThat(load().dataDir()).isEqualTo(home.resolve("from-env"));

            env.clear();
            configFile = writeConfig("dir.properties", "data-dir=~/from-file");
            assertThat(load().dataDir()).isEqualTo(home.resolve("from-file"));
        }

        @Test
        void keepsAbsolutePaths() {
            assertThat(dataDirFor("/var/lib/labbook")).isEqualTo(Path.of("/var/lib/labbook"));
        }

        @Test
        void resolvesRelativePathsAgainstTheWorkingDirectory() {
            assertThat(dataDirFor("data")).isEqualTo(Path.of("data").toAbsolutePath()).isAbsolute();
        }

        @Test
        void doesNotExpandTildeFollowedByAName() {
            assertThat(dataDirFor("~bob/data")).isEqualTo(Path.of("~bob/data").toAbsolutePath());
            assertThat(dataDirFor("data/~/x")).isEqualTo(Path.of("data/~/x").toAbsolutePath());
        }
    }

    @Nested
    class Operations {
        @Test
        void areReadFromTheEnvironment() throws IOException {
            Path cert = Files.writeString(tmp.resolve("tls.crt"), "cert");
            Path key = Files.writeString(tmp.resolve("tls.key"), "key");
            env.put("LABBOOK_METRICS_PORT", "9100");
            env.put("LABBOOK_LOG_FORMAT", "json");
            env.put("LABBOOK_SHUTDOWN_DRAIN_SECONDS", "5");
            env.put("LABBOOK_SHUTDOWN_GRACE_SECONDS", "25");
            env.put("LABBOOK_TLS_CERT_FILE", cert.toString());
            env.put("LABBOOK_TLS_KEY_FILE", key.toString());
            env.put("LABBOOK_HEALTH_PORT", "7900");

            assertThat(load().operations()).isEqualTo(new OperationsConfig(9100, LogFormat.JSON,
                    Optional.of(new OperationsConfig.Tls(cert, key)), 7900, java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofSeconds(25)));
        }

        @Test
        void readinessChecksEveryTwoSecondsByDefaultAndAsConfigured() {
            assertThat(load().operations().readinessInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
            assertThat(load().operations().readinessTimeout()).isEqualTo(java.time.Duration.ofSeconds(1));
            env.put("LABBOOK_READINESS_INTERVAL_MS", "500");
            flags.put(Setting.READINESS_TIMEOUT_MS, "250");
            assertThat(load().operations().readinessInterval()).isEqualTo(java.time.Duration.ofMillis(500));
            assertThat(load().operations().readinessTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
            env.put("LABBOOK_READINESS_INTERVAL_MS", "0");
            assertThat(load().operations().readinessInterval()).isZero();
            flags.put(Setting.READINESS_TIMEOUT_MS, "50");
            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--readiness-timeout-ms");
        }

        @Test
        void loadLimitsHaveBoundedDefaults() {
            assertThat(load().operations().limits()).isEqualTo(LoadLimits.defaults());
            LoadLimits limits = load().operations().limits();
            assertThat(limits.apiThreads()).isEqualTo(64);
            assertThat(limits.maxCallsPerConnection()).isEqualTo(1000);
            assertThat(limits.permitKeepAliveTime()).isEqualTo(java.time.Duration.ofSeconds(20));
            assertThat(limits.permitKeepAliveWithoutCalls()).isTrue();
            assertThat(limits.maxConnectionIdle()).isEqualTo(java.time.Duration.ofMinutes(10));
            assertThat(limits.maxConnectionAge()).isEqualTo(java.time.Duration.ofMinutes(30));
            assertThat(limits.maxConnectionAgeGrace()).isEqualTo(java.time.Duration.ofMinutes(2));
            assertThat(limits.streamIdleTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
            assertThat(limits.dbPoolTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
            // Each default is the one the setting documents.
            assertThat(Setting.API_THREADS.defaultValue()).isEqualTo("64");
            assertThat(Setting.STREAM_IDLE_TIMEOUT_SECONDS.defaultValue()).isEqualTo("120");
            assertThat(Setting.DB_POOL_TIMEOUT_MS.defaultValue()).isEqualTo("10000");
        }

        @Test
        void loadLimitsAreReadFromFlagsEnvironmentAndFile() throws IOException {
            configFile = writeConfig("limits.properties", "max-connection-age-seconds=300",
                    "stream-idle-timeout-seconds=0");
            env.put("LABBOOK_API_THREADS", "8");
            env.put("LABBOOK_PERMIT_KEEPALIVE_WITHOUT_CALLS", "false");
            env.put("LABBOOK_DB_POOL_TIMEOUT_MS", "500");
            flags.put(Setting.MAX_CALLS_PER_CONNECTION, "16");
            flags.put(Setting.KEEPALIVE_TIME_SECONDS, "30");
            flags.put(Setting.KEEPALIVE_TIMEOUT_SECONDS, "5");
            flags.put(Setting.PERMIT_KEEPALIVE_TIME_SECONDS, "10");
            flags.put(Setting.MAX_CONNECTION_IDLE_SECONDS, "0");
            flags.put(Setting.MAX_CONNECTION_AGE_GRACE_SECONDS, "15");

            assertThat(load().operations().limits()).isEqualTo(new LoadLimits(8, 16, java.time.Duration.ofSeconds(30),
                    java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10), false, java.time.Duration.ZERO,
                    java.time.Duration.ofSeconds(300), java.time.Duration.ofSeconds(15), java.time.Duration.ZERO,
                    java.time.Duration.ofMillis(500)));
        }

        @ParameterizedTest
        @CsvSource({"API_THREADS,0,--api-threads", "MAX_CALLS_PER_CONNECTION,0,--max-calls-per-connection",
                "PERMIT_KEEPALIVE_TIME_SECONDS,0,--permit-keepalive-time-seconds",
                "KEEPALIVE_TIMEOUT_SECONDS,0,--keepalive-timeout-seconds",
                "STREAM_IDLE_TIMEOUT_SECONDS,-1,--stream-idle-timeout-seconds",
                "DB_POOL_TIMEOUT_MS,100,--db-pool-timeout-ms", "MAX_CONNECTION_AGE_SECONDS,soon,--max-connection-age",
                "PERMIT_KEEPALIVE_WITHOUT_CALLS,yes,--permit-keepalive-without-calls"})
        void loadLimitsOutOfRangeAreRefusedByName(Setting setting, String value, String named) {
            flags.put(setting, value);
            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(named);
        }

        @Test
        void httpLimitsHaveBoundedDefaultsAndAreReadFromTheirSettings() throws IOException {
            assertThat(load().http().limits()).isEqualTo(HttpLimits.defaults())
                    .isEqualTo(new HttpLimits(1000, java.time.Duration.ofSeconds(75), 1024 * 1024,
                            java.time.Duration.ofSeconds(60)));
            configFile = writeConfig("http.properties", "http-max-request-bytes=4096");
            env.put("LABBOOK_HTTP_IDLE_TIMEOUT_SECONDS", "0");
            flags.put(Setting.HTTP_MAX_CONNECTIONS, "50");
            flags.put(Setting.HTTP_REQUEST_TIMEOUT_SECONDS, "5");

            assertThat(load().http().limits()).isEqualTo(new HttpLimits(50, java.time.Duration.ZERO, 4096,
                    java.time.Duration.ofSeconds(5)));
        }

        @ParameterizedTest
        @CsvSource({"HTTP_MAX_CONNECTIONS,0,--http-max-connections", "HTTP_MAX_REQUEST_BYTES,100,--http-max-request-bytes",
                "HTTP_IDLE_TIMEOUT_SECONDS,-1,--http-idle-timeout-seconds",
                "HTTP_REQUEST_TIMEOUT_SECONDS,soon,--http-request-timeout-seconds"})
        void httpLimitsOutOfRangeAreRefusedByName(Setting setting, String value, String named) {
            flags.put(setting, value);
            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(named);
        }

        @Test
        void zeroMetricsPortTurnsTheEndpointOff() {
            flags.put(Setting.METRICS_PORT, "0");

            assertThat(load().operations().metricsPort()).isZero();
        }

        @Test
        void rejectsAnUnknownLogFormat() {
            env.put("LABBOOK_LOG_FORMAT", "xml");

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage("--log-format (LABBOOK_LOG_FORMAT) must be text or json, got 'xml'");
        }

        @Test
        void rejectsACertificateWithoutKey() throws IOException {
            flags.put(Setting.TLS_CERT_FILE, Files.writeString(tmp.resolve("tls.crt"), "cert").toString());

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage("--tls-key-file (LABBOOK_TLS_KEY_FILE) is required when --tls-cert-file "
                            + "(LABBOOK_TLS_CERT_FILE) is set");
        }

        @Test
        void rejectsAMissingKeyFile() throws IOException {
            flags.put(Setting.TLS_CERT_FILE, Files.writeString(tmp.resolve("tls.crt"), "cert").toString());
            flags.put(Setting.TLS_KEY_FILE, tmp.resolve("missing.key").toString());

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage("--tls-key-file (LABBOOK_TLS_KEY_FILE) names no readable file: "
                            + tmp.resolve("missing.key"));
        }

        @Test
        void rejectsTheMetricsPortOnTheGrpcPort() {
            flags.put(Setting.METRICS_PORT, "7800");

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--metrics-port (LABBOOK_METRICS_PORT) must differ from --port");
        }

        @Test
        void rejectsANegativeGracePeriod() {
            flags.put(Setting.SHUTDOWN_GRACE_SECONDS, "-1");

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage("--shutdown-grace-seconds (LABBOOK_SHUTDOWN_GRACE_SECONDS) must be between 0 and 3600, "
                            + "got -1");
        }
    }

    @Nested
    class Http {
        @Test
        void listensOn7880WithAUrlDerivedAtStartByDefault() {
            assertThat(load().http()).isEqualTo(new HttpConfig(true, 7880, Optional.empty()));
        }

        @Test
        void portZeroTurnsItOff() {
            env.put("LABBOOK_HTTP_PORT", "0");

            assertThat(load().http().enabled()).isFalse();
        }

        @Test
        void takesThePortFromAFlag() {
            flags.put(Setting.HTTP_PORT, "8080");

            assertThat(load().http()).isEqualTo(HttpConfig.on(8080));
        }

        @ParameterizedTest
        @CsvSource({
            "https://labbook.example.com, https://labbook.example.com",
            "https://labbook.example.com/, https://labbook.example.com",
            "http://10.0.0.5:7880//, http://10.0.0.5:7880",
            "http://[::1]:7880, http://[::1]:7880"})
        void keepsAPublicUrlWithoutItsTrailingSlash(String given, String kept) {
            flags.put(Setting.PUBLIC_URL, given);

            assertThat(load().http().publicUrl()).contains(kept);
        }

        @ParameterizedTest
        @ValueSource(strings = {"labbook.example.com", "ftp://labbook.example.com", "https://", "https://host/?q=1",
            "https://host/#top", "https://ho st", "https://example.com/labbook"})
        void rejectsAPublicUrlThatIsNoHttpUrl(String url) {
            flags.put(Setting.PUBLIC_URL, url);

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--public-url (LABBOOK_PUBLIC_URL) must be an http:// or https:// URL");
        }

        @Test
        void rejectsTheHttpPortOnTheGrpcOrMetricsPort() {
            flags.put(Setting.HTTP_PORT, "7800");
            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--http-port (LABBOOK_HTTP_PORT) must differ from --port (LABBOOK_PORT)");

            flags.put(Setting.HTTP_PORT, "9464");
            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("must differ from --metrics-port (LABBOOK_METRICS_PORT)");
        }

        @Test
        void rejectsAPortOutOfRange() {
            flags.put(Setting.HTTP_PORT, "65536");

            assertThatThrownBy(ServerConfigLoaderTest.this::load).isInstanceOf(ConfigException.class)
                    .hasMessage("--http-port (LABBOOK_HTTP_PORT) must be between 0 and 65535, got 65536");
        }
    }
}
