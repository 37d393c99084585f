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
 * setup the superuser may connect from loopback too (see {@link EmbeddedPostgresLockdown}).
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

    /** How the superuser authenticates during setup (it has no password before the first one). */
    enum SuperuserLogin {
        /** A fresh cluster: initdb gave the superuser a random password for this start only. */
        PASSWORD("scram-sha-256"),
        /**
         * A cluster from before the lockdown (or one whose first setup was cut short), whose
         * superuser has no password we know: trusted on loopback for this one start. Such a
         * cluster trusted every local user for everything until now; this narrows it already.
         */
        TRUST("trust");

        private final String method;

        SuperuserLogin(String method) {
            this.method = method;
        }
    }

    private PgHba() {
    }

    static String lockedDown() {
        return HEADER + LABBOOK_ROLE;
    }

    static String setup(SuperuserLogin superuser) {
        return """
                # Managed by Labbook (EmbeddedPostgresDatabase): its one-time setup is under way, and
                # the superuser may connect from loopback until it is done and this file is rewritten.
                """ + LABBOOK_ROLE + """
                host  all  postgres  127.0.0.1/32  %1$s
                host  all  postgres  ::1/128       %1$s
                """.formatted(superuser.method);
    }

    static boolean isLockedDown(Path pgData) throws IOException {
        Path file = pgData.resolve(FILE);
        return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(lockedDown());
    }

    static void write(Path pgData, String content) throws IOException {
        PrivateFiles.writeAtomically(pgData.resolve(FILE), content);
    }
}
