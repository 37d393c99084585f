package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Keys from a JWKS file, e.g. a mounted ConfigMap holding {@code kubectl get --raw /openid/v1/jwks}.
 * The file is read on every load (a few kilobytes; loads happen only for tokens not verified in
 * the last minute) and parsed again when its content changed, so a rotated key (a ConfigMap update
 * swaps a symlink; an edit rewrites the file) is picked up at once.
 */
public final class JwksFileSource implements KeySource {
    static final int MAX_BYTES = 1 << 20;
    private final Path path;
    private byte[] content;
    private JWKSet keys;

    public JwksFileSource(Path path) {
        this.path = path;
    }

    @Override
    public synchronized JWKSet load() throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IOException(path + " does not exist", e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException(path + " is larger than " + MAX_BYTES + " bytes");
        }
        if (keys != null && Arrays.equals(bytes, content)) {
            return keys;
        }
        try {
            keys = JWKSet.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IOException(path + " is not a JWKS: " + e.getMessage(), e);
        }
        content = bytes;
        return keys;
    }

    @Override
    public Duration maxAge() {
        return Duration.ZERO;
    }

    @Override
    public Duration minInterval() {
        return Duration.ZERO;
    }

    @Override
    public String describe() {
        return "file " + path;
    }
}
