package dev.labbook.server.store.postgres;

import dev.labbook.server.fs.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded PostgreSQL's {@code pg_hba.conf}, which Labbook owns. Locked down, it lets one
 * role ({@code labbook}) into one database ({@code labbook}) from loopback only, with its SCRAM
 * password; PostgreSQL refuses every connection no line matches, so the superuser, every other
 * role and every Unix-socket connection (no {@code local} line) are refused. During the one-time
 * setup the superuser may connect over the Unix socket too, never over TCP (see {@link #setup}).
 */
final class PgHba {
    static final String FILE = "pg_hba.conf";

    private static final String HEADER = """
            # Managed by Labbook (EmbeddedPostgresDatabase) and rewritten at start: edits are lost.
            # Only the role labbook, only to the database labbook, only from loopback, only with its
            # password (DATA_DIR/postgres-password). No line matches anyone else: refused.
            """;
    private static final String LABBOOK_ROLE = """
            host  %1$s  %2$s  127.0.0.1/32  scram-sha-256
            host  %1$s  %2$s  ::1/128       scram-sha-256
            """.formatted(EmbeddedPostgresDatabase.DATABASE, EmbeddedPostgresDatabase.ROLE);

    private PgHba() {
    }

    static String lockedDown() {
        return HEADER + LABBOOK_ROLE;
    }

    /**
     * The role as locked down, plus the superuser over the Unix socket only, without a password:
     * the socket is in a {@code 0700} directory of the server's own user ({@link SetupSocket}), so
     * nobody else reaches it, and no TCP connection matches that line.
     */
    static String setup() {
        return """
                # Managed by Labbook (EmbeddedPostgresDatabase): its one-time setup is under way, and
                # the superuser may connect over the Unix socket (a directory only Labbook's OS user
                # can enter) until it is done and this file is rewritten. Over TCP: only the role.
                """ + LABBOOK_ROLE + """
                local  all  postgres  trust
                """;
    }

    static boolean isLockedDown(Path pgData) throws IOException {
        Path file = pgData.resolve(FILE);
        return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(lockedDown());
    }

    static void write(Path pgData, String content) throws IOException {
        PrivateFiles.writeAtomically(pgData.resolve(FILE), content);
    }
}
