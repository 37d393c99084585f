package dev.labbook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labbook.server.config.ConfigException;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.config.Setting;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SharedPostgres;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the ports listen by default (loopback only), and that an address other machines reach
 * needs access control or an explicit --insecure-no-auth, as `labbook server` reads its settings.
 */
class BindDefaultsIT {
    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A non-loopback address of this machine, which other machines could use to reach it. */
    private static Optional<InetAddress> externalAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean accepts(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    /** No --host: the default. Every port on a free port of its own. */
    private ServerConfig config(Map<Setting, String> settings) throws IOException {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_bind_it");
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PORT, String.valueOf(freePort()));
        flags.put(Setting.HTTP_PORT, String.valueOf(freePort()));
        flags.put(Setting.METRICS_PORT, String.valueOf(freePort()));
        flags.put(Setting.DB_URL, db.jdbcUrl());
        flags.put(Setting.DB_USER, db.user());
        flags.put(Setting.ARTIFACT_DIR, tmp.resolve("artifacts").toString());
        flags.put(Setting.COMPACTION_INTERVAL, "0");
        flags.putAll(settings);
        return ServerConfigLoader.load(flags, Map.of(), null, tmp);
    }

    @Test
    void byDefaultTheGrpcHttpAndMetricsPortsAcceptOnlyLoopbackConnections() throws IOException {
        InetAddress external = externalAddress().orElse(null);
        assumeTrue(external != null, "no non-loopback interface to connect through");
        ServerConfig config = config(Map.of());
        assertThat(config.host()).isEqualTo("127.0.0.1");

        try (LabbookServer server = LabbookServer.start(config)) {
            List<Integer> ports = List.of(server.port(), server.httpPort().orElseThrow(),
                    server.metricsPort().orElseThrow());
            for (int port : ports) {
                assertThat(accepts(InetAddress.getLoopbackAddress(), port)).as("loopback, port " + port).isTrue();
                assertThat(accepts(external, port)).as(external + ", port " + port).isFalse();
            }
        }
    }

    @Test
    void everyInterfaceWithAuthOffRefusesToStartAndOpensNothing() throws IOException {
        ServerConfig config = config(Map.of(Setting.HOST, "0.0.0.0"));

        assertThatThrownBy(() -> LabbookServer.start(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("refusing to serve on 0.0.0.0 (every network interface) with access control off")
                .hasMessageContaining("--auth on")
                .hasMessageContaining("--insecure-no-auth");

        for (int port : List.of(config.port(), config.http().port(), config.operations().metricsPort())) {
            assertThat(accepts(InetAddress.getLoopbackAddress(), port)).as("port " + port).isFalse();
        }
        assertThat(tmp.resolve("artifacts")).as("nothing was opened").doesNotExist();
    }

    @Test
    void everyInterfaceWithInsecureNoAuthServesOtherMachines() throws IOException {
        InetAddress external = externalAddress().orElse(null);
        assumeTrue(external != null, "no non-loopback interface to connect through");
        ServerConfig config = config(Map.of(Setting.HOST, "0.0.0.0", Setting.INSECURE_NO_AUTH, "true"));

        try (LabbookServer server = LabbookServer.start(config)) {
            assertThat(accepts(external, server.port())).isTrue();
            assertThat(accepts(external, server.httpPort().orElseThrow())).isTrue();
        }
    }
}
