package dev.labbook.server.store.postgres;

import dev.labbook.server.fs.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL's password of the {@code labbook} role, in one file only its owner can
 * read ({@code 0600}): generated at the first start, read at every later one.
 *
 * @param password the password
 * @param created whether this start generated it (the role does not have it yet)
 */
record PasswordFile(String password, boolean created) {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordFile.class);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** 40 characters of 62: 238 bits. Letters and digits only, so it needs no quoting anywhere. */
    static final int LENGTH = 40;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Reads {@code file}, or creates it with a new random password when it is missing or empty. */
    static PasswordFile readOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!password.isEmpty()) {
                if (PrivateFiles.restrict(file)) {
                    LOG.warn("{} was readable by other users; it is now readable by its owner only", file);
                }
                return new PasswordFile(password, false);
            }
        }
        String password = newPassword();
        // Written (and on disk) before the role gets it: a crash in between leaves a password the
        // next start sets again, never a role whose password nobody knows.
        PrivateFiles.writeAtomically(file, password + "\n");
        return new PasswordFile(password, true);
    }

    static String newPassword() {
        StringBuilder password = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }

    @Override
    public String toString() {
        return "PasswordFile[created=" + created + "]";
    }
}
