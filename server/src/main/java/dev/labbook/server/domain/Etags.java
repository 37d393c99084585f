package dev.labbook.server.domain;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * Etags (AIP-154) of runs and experiments: an opaque rendering of the object's id and its
 * revision, the counter that every change of the object bumps. Hashed, so that clients compare
 * etags rather than read a counter into them.
 */
public final class Etags {
    private Etags() {
    }

    public static String of(UUID id, long revision) {
        ByteBuffer input = ByteBuffer.allocate(24);
        input.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).putLong(revision);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(input.array());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * Refuses a conditional update whose etag is not the object's current one; an empty or null
     * etag means unconditional.
     */
    public static void require(String given, String current, String type, UUID id) {
        if (given == null || given.isEmpty() || given.equals(current)) {
            return;
        }
        FailedPreconditionException error = new FailedPreconditionException(ErrorReason.ETAG_MISMATCH, type + " " + id
                + " has changed since etag '" + abbreviate(given) + "' was read; read it again and retry");
        error.about(type, id);
        throw error;
    }

    private static String abbreviate(String etag) {
        String shown = etag.length() > 64 ? etag.substring(0, 61) + "..." : etag;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
