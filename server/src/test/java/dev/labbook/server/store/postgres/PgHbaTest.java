package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgHbaTest {
    @TempDir
    Path pgData;

    private static List<String> rules(String content) {
        return content.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.trim().replaceAll("\\s+", " ")).toList();
    }

    @Test
    void lockedDownLetsOnlyTheRoleIntoItsDatabaseFromLoopbackWithItsPassword() {
        assertThat(rules(PgHba.lockedDown())).containsExactly(
                "host labbook labbook 127.0.0.1/32 scram-sha-256",
                "host labbook labbook ::1/128 scram-sha-256");
    }

    @Test
    void theSetupAddsTheSuperuserOverTheUnixSocketOnlyAndTrustsNobodyOverTcp() {
        List<String> rules = rules(PgHba.setup());
        assertThat(rules).containsExactly(
                "host labbook labbook 127.0.0.1/32 scram-sha-256",
                "host labbook labbook ::1/128 scram-sha-256",
                "local all postgres trust");
        assertThat(rules).filteredOn(rule -> rule.startsWith("host")).noneMatch(rule -> rule.contains("trust"));
    }

    @Test
    void isLockedDownOnlyWithExactlyTheLockedDownFile() throws Exception {
        assertThat(PgHba.isLockedDown(pgData)).as("missing").isFalse();
        PgHba.write(pgData, PgHba.setup());
        assertThat(PgHba.isLockedDown(pgData)).as("setup").isFalse();
        PgHba.write(pgData, PgHba.lockedDown());
        assertThat(PgHba.isLockedDown(pgData)).isTrue();
        Files.writeString(pgData.resolve("pg_hba.conf"), PgHba.lockedDown() + "host all all 0.0.0.0/0 trust\n");
        assertThat(PgHba.isLockedDown(pgData)).as("edited").isFalse();
    }
}
