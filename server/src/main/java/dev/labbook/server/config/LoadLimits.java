package dev.labbook.server.config;

import java.time.Duration;

/**
 * What bounds the server's resources under load (docs/operations.md, "Limits under load"): the
 * API's thread pool, calls per connection, the keepalive policy, connection idle time and age, the
 * idle time of client streams and the wait for a database connection.
 *
 * @param apiThreads threads of the fixed pool that runs every call's work
 * @param maxCallsPerConnection concurrent calls (HTTP/2 streams) per client connection
 * @param keepAliveTime idle time after which the server pings a connection
 * @param keepAliveTimeout how long a ping may go unanswered before the connection is closed
 * @param permitKeepAliveTime the shortest ping interval a client may use
 * @param permitKeepAliveWithoutCalls whether clients may ping while they have no call open
 * @param maxConnectionIdle time without calls after which a connection is closed; zero: never
 * @param maxConnectionAge age after which a connection is asked to go away; zero: never
 * @param maxConnectionAgeGrace time the calls of such a connection get to finish
 * @param streamIdleTimeout time a client stream may go without a message; zero: no limit
 * @param dbPoolTimeout how long a call waits for a database connection before it is answered
 *     RESOURCE_EXHAUSTED (SERVER_BUSY)
 */
public record LoadLimits(int apiThreads, int maxCallsPerConnection, Duration keepAliveTime,
        Duration keepAliveTimeout, Duration permitKeepAliveTime, boolean permitKeepAliveWithoutCalls,
        Duration maxConnectionIdle, Duration maxConnectionAge, Duration maxConnectionAgeGrace,
        Duration streamIdleTimeout, Duration dbPoolTimeout) {

    /** The defaults of the settings (see {@link Setting}). */
    public static LoadLimits defaults() {
        return new LoadLimits(64, 1000, Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(20), true,
                Duration.ofSeconds(600), Duration.ofSeconds(1800), Duration.ofSeconds(120), Duration.ofSeconds(120),
                Duration.ofSeconds(10));
    }

    public LoadLimits withApiThreads(int threads) {
        return new LoadLimits(threads, maxCallsPerConnection, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
                permitKeepAliveWithoutCalls, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                streamIdleTimeout, dbPoolTimeout);
    }

    public LoadLimits withMaxCallsPerConnection(int calls) {
        return new LoadLimits(apiThreads, calls, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
                permitKeepAliveWithoutCalls, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                streamIdleTimeout, dbPoolTimeout);
    }

    public LoadLimits withStreamIdleTimeout(Duration timeout) {
        return new LoadLimits(apiThreads, maxCallsPerConnection, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
                permitKeepAliveWithoutCalls, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace, timeout,
                dbPoolTimeout);
    }

    public LoadLimits withDbPoolTimeout(Duration timeout) {
        return new LoadLimits(apiThreads, maxCallsPerConnection, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
                permitKeepAliveWithoutCalls, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                streamIdleTimeout, timeout);
    }
}
