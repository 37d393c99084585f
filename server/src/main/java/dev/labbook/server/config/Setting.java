package dev.labbook.server.config;

import java.util.Locale;

/**
 * Every server setting, with its flag, environment variable and default. The same name is
 * used as the key in a configuration file ({@code --config FILE}, Java properties format).
 */
public enum Setting {
    HOST("host", "127.0.0.1", "Address the gRPC, HTTP, metrics and health ports listen on; the loopback default "
            + "serves only this machine. A non-loopback address (0.0.0.0, ::, a LAN address) needs --auth on or "
            + "--insecure-no-auth."),
    PORT("port", "7800", "gRPC port."),
    HTTP_PORT("http-port", "7880", "HTTP port of the web UI and of the API for browsers (gRPC-Web) and curl "
            + "(JSON), on the same host; 0 turns it off."),
    PUBLIC_URL("public-url", "", "Base URL under which users reach the web UI, e.g. https://labbook.example.com "
            + "behind a proxy; the server gives it to SDKs for links to runs. Empty: http://HOST:HTTP_PORT, "
            + "with localhost for a wildcard or loopback HOST."),
    DATA_DIR("data-dir", "~/.labbook", "Directory of the embedded default: PostgreSQL data under postgres/."),
    DB_URL("db-url", "", "JDBC URL of an external PostgreSQL (jdbc:postgresql://host:5432/db); "
            + "empty starts the embedded PostgreSQL."),
    DB_USER("db-user", "", "User for --db-url."),
    DB_PASSWORD("db-password", "", "Password for --db-url (prefer the environment variable)."),
    DB_POOL_SIZE("db-pool-size", "10", "Maximum connections in the database pool."),
    EMBEDDED_DB_PORT("embedded-db-port", "0", "Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one."),
    MAX_MESSAGE_BYTES("max-message-bytes", "16777216", "Largest gRPC message the server accepts."),
    RUN_LEASE_SECONDS("run-lease-seconds", "300", "Seconds a RUNNING run stays RUNNING without a heartbeat "
            + "(RenewRunLease; the SDKs and labbook run send one every third of this) before the server marks it "
            + "CRASHED; every replica checks every fifth of this. Writers that come back make it RUNNING again."),
    LIVE_POLL_INTERVAL_MS("live-poll-interval-ms", "500", "Milliseconds between the fallback polls of log "
            + "follows (StreamLogs with follow) and WatchRun. Changes committed through any replica wake them at once "
            + "over PostgreSQL LISTEN/NOTIFY; the poll only covers notifications lost while that connection is "
            + "re-made."),
    COMPACTION_INTERVAL("compaction-interval", "60",
            "Seconds between passes that merge small metric chunks; 0 turns compaction off."),
    ARTIFACT_DIR("artifact-dir", "", "Directory of the local artifact store; empty means DATA_DIR/artifacts."),
    S3_ENDPOINT("s3-endpoint", "", "S3 API endpoint (MinIO, AWS S3, ...), e.g. http://minio:9000; "
            + "when set, artifacts go to S3 instead of the local directory."),
    S3_BUCKET("s3-bucket", "labbook", "S3 bucket of the artifacts; created when missing."),
    S3_REGION("s3-region", "", "S3 region; empty asks the server."),
    S3_ACCESS_KEY("s3-access-key", "", "S3 access key."),
    S3_SECRET_KEY("s3-secret-key", "", "S3 secret key (prefer the environment variable)."),
    MAX_ARTIFACT_BYTES("max-artifact-bytes", "68719476736", "Largest artifact accepted, in bytes (default 64 GiB)."),
    GC_INTERVAL("gc-interval", "3600",
            "Seconds between artifact garbage collection passes (they also run after purges); 0: only after purges."),
    METRICS_PORT("metrics-port", "9464", "HTTP port of the Prometheus metrics endpoint (/metrics); 0 turns it off."),
    LOG_FORMAT("log-format", "text", "Log output on stderr: text (one line per event) or json (one JSON object per line)."),
    SHUTDOWN_DRAIN_SECONDS("shutdown-drain-seconds", "0", "On SIGTERM, seconds the server keeps serving while "
            + "its health reports NOT_SERVING, so load balancers and endpoints drop it before it stops accepting."),
    SHUTDOWN_GRACE_SECONDS("shutdown-grace-seconds", "20", "On SIGTERM, seconds calls in flight get to finish "
            + "after the server stops accepting new ones; streams end with UNAVAILABLE after their current message."),
    COMPUTE_TARGETS_FILE("compute-targets-file", "", "YAML file of the server's compute targets (Kubernetes "
            + "namespaces where SubmitRun starts runs as Jobs; see docs/submit.md); empty: none, SubmitRun refuses "
            + "every target."),
    TLS_CERT_FILE("tls-cert-file", "", "PEM certificate chain; with --tls-key-file, gRPC is served over TLS."),
    TLS_KEY_FILE("tls-key-file", "", "PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) of --tls-cert-file."),
    AUTH("auth", "off", "Access control: on checks every call's credentials (API tokens, JWTs) against per-project "
            + "roles; off lets whoever reaches the ports do everything, and is refused on a non-loopback --host "
            + "unless --insecure-no-auth is given. See docs/security.md."),
    INSECURE_NO_AUTH("insecure-no-auth", "false", "true: allow --auth off on a non-loopback --host (anyone who "
            + "reaches the port can read, change and purge everything)."),
    BOOTSTRAP_TOKEN("bootstrap-token", "", "With --auth on: an API token (lbk_...) that the server stores (as a "
            + "hash) at start as admin of every project, e.g. from a Kubernetes Secret. Empty: when no token "
            + "exists, the first start creates one and prints it once."),
    JWT_ISSUERS("jwt-issuers", "", "With --auth on: issuers whose JWTs are accepted (Kubernetes ServiceAccount "
            + "tokens, OIDC ID tokens), comma-separated, each ISSUER_URL or ISSUER_URL=KEYS where KEYS is a JWKS "
            + "file path or URL; without KEYS the keys come from ISSUER_URL/.well-known/openid-configuration."),
    JWT_AUDIENCE("jwt-audience", "labbook", "Audience a JWT must be issued for (aud claim)."),
    JWT_ROLES("jwt-roles", "", "Roles of JWT principals, comma-separated PRINCIPAL=PROJECT:ROLE entries: PRINCIPAL "
            + "is NAMESPACE/SERVICEACCOUNT (NAMESPACE/* for every ServiceAccount of a namespace) or an OIDC "
            + "token's verified email or subject; PROJECT a project or *; ROLE viewer, editor or admin."),
    AUDIT_RETENTION_DAYS("audit-retention-days", "365", "Days the audit log keeps an event (checked daily); "
            + "0 keeps them forever."),
    HEALTH_PORT("health-port", "7801", "With TLS on: plaintext port serving only grpc.health.v1.Health, "
            + "for probes that cannot speak TLS (the kubelet's); 0 turns it off."),
    READINESS_INTERVAL_MS("readiness-interval-ms", "2000", "Milliseconds between readiness checks of PostgreSQL "
            + "and the artifact store: health reports NOT_SERVING (readiness) while one fails, SERVING when both "
            + "answer again; 0 turns the checks off."),
    READINESS_TIMEOUT_MS("readiness-timeout-ms", "1000", "Milliseconds a readiness check may take before it "
            + "counts as failed."),
    DB_POOL_TIMEOUT_MS("db-pool-timeout-ms", "10000", "Milliseconds a call waits for a free database connection "
            + "when all --db-pool-size are in use; then it fails with RESOURCE_EXHAUSTED (reason SERVER_BUSY: "
            + "retry), not UNAVAILABLE, as long as the database itself answers."),
    API_THREADS("api-threads", "64", "Threads that run the API's calls (gRPC and HTTP port): a fixed pool, so "
            + "threads do not grow with the number of calls or streams; work beyond it waits in a queue while "
            + "HTTP/2 flow control holds back the clients' further messages."),
    MAX_CALLS_PER_CONNECTION("max-calls-per-connection", "1000", "Concurrent calls (HTTP/2 streams) one client "
            + "connection may have open on the gRPC port; further calls wait in the client until one ends."),
    KEEPALIVE_TIME_SECONDS("keepalive-time-seconds", "60", "Seconds without traffic after which the server pings a "
            + "client connection to check it is still there."),
    KEEPALIVE_TIMEOUT_SECONDS("keepalive-timeout-seconds", "20", "Seconds the server waits for a ping's answer "
            + "before it closes the connection."),
    PERMIT_KEEPALIVE_TIME_SECONDS("permit-keepalive-time-seconds", "20", "Shortest interval at which clients may "
            + "send keepalive pings; a client that pings more often is disconnected (GOAWAY ENHANCE_YOUR_CALM)."),
    PERMIT_KEEPALIVE_WITHOUT_CALLS("permit-keepalive-without-calls", "true", "true: clients may send keepalive "
            + "pings while they have no call open."),
    MAX_CONNECTION_IDLE_SECONDS("max-connection-idle-seconds", "600", "Seconds a client connection may stay "
            + "without any call before the server closes it (GOAWAY; clients reconnect when they need to); "
            + "0: no limit."),
    MAX_CONNECTION_AGE_SECONDS("max-connection-age-seconds", "1800", "Seconds after which the server asks a client "
            + "connection to go away (GOAWAY), so clients reconnect and spread over the replicas behind a load "
            + "balancer; 0: no limit."),
    MAX_CONNECTION_AGE_GRACE_SECONDS("max-connection-age-grace-seconds", "120", "Seconds the calls of a connection "
            + "that reached --max-connection-age get to finish before they are cancelled (clients resume them "
            + "on a new connection)."),
    STREAM_IDLE_TIMEOUT_SECONDS("stream-idle-timeout-seconds", "120", "Seconds a client stream (LogMetrics, "
            + "AppendLogs, UploadArtifact) may stay open without sending a message before the server ends it "
            + "with DEADLINE_EXCEEDED (reason STREAM_IDLE_TIMEOUT); the SDKs send and close their streams within "
            + "seconds. 0: no limit."),
    HTTP_MAX_CONNECTIONS("http-max-connections", "1000", "Connections the HTTP port accepts at once; further ones "
            + "are closed on arrival."),
    HTTP_IDLE_TIMEOUT_SECONDS("http-idle-timeout-seconds", "75", "Seconds an HTTP connection may stay without a "
            + "request before the server closes it; longer than a load balancer's usual 60 s, so the balancer "
            + "closes first. 0: no limit."),
    HTTP_MAX_REQUEST_BYTES("http-max-request-bytes", "1048576", "Largest request body on the HTTP port outside "
            + "the API (the web UI's sign-in and files); larger ones get 413. API requests are capped by "
            + "--max-message-bytes, as on the gRPC port."),
    HTTP_REQUEST_TIMEOUT_SECONDS("http-request-timeout-seconds", "60", "Seconds an HTTP request may take, body "
            + "included, before the server answers 503 (an API call: DEADLINE_EXCEEDED, or the client's own "
            + "deadline when it sends one); streaming calls (log follow, WatchRun, uploads) are not limited. "
            + "0: no limit.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Flag name without the leading "--"; also the key in a configuration file (e.g. data-dir). */
    public String key() {
        return key;
    }

    public String flag() {
        return "--" + key;
    }

    public String envVar() {
        return "LABBOOK_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
