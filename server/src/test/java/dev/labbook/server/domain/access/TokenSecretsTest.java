package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenSecretsTest {

    @Test
    void secretsHaveThePrefixRandomBase62AndAChecksum() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String secret = TokenSecrets.generate();
            assertThat(secret).hasSize(42).startsWith("lbk_").matches("lbk_[0-9A-Za-z]{38}");
            assertThat(TokenSecrets.looksLikeToken(secret)).as(secret).isTrue();
            assertThat(seen.add(secret)).isTrue();
        }
    }

    @Test
    void theChecksumIsTheBase62Crc32OfEverythingBeforeIt() {
        // As GitHub's tokens: a scanner can check it with nothing but CRC32 (java.util.zip here).
        String body = "lbk_TestBootstrapAdminToken000000001";
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(TokenSecrets.checksum(body)).isEqualTo("069OCb");
        assertThat(crc.getValue()).isEqualTo(decodeBase62("069OCb"));
    }

    @Test
    void anyChangedCharacterBreaksTheChecksum() {
        String secret = TokenSecrets.generate();
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int i = 4; i < secret.length(); i++) {
            char original = secret.charAt(i);
            char other = alphabet.charAt((alphabet.indexOf(original) + 1 + i) % alphabet.length());
            String changed = secret.substring(0, i) + other + secret.substring(i + 1);
            assertThat(TokenSecrets.looksLikeToken(changed)).as("changed at %d: %s", i, changed).isFalse();
        }
    }

    @Test
    void refusesOtherShapes() {
        String secret = TokenSecrets.generate();
        assertThat(TokenSecrets.looksLikeToken(null)).isFalse();
        assertThat(TokenSecrets.looksLikeToken("")).isFalse();
        assertThat(TokenSecrets.looksLikeToken(secret.substring(0, 41))).isFalse();
        assertThat(TokenSecrets.looksLikeToken(secret + "0")).isFalse();
        assertThat(TokenSecrets.looksLikeToken("lbx_" + secret.substring(4))).isFalse();
        assertThat(TokenSecrets.looksLikeToken(secret.substring(0, 10) + "-" + secret.substring(11))).isFalse();
        assertThat(TokenSecrets.looksLikeToken(" " + secret.substring(1))).isFalse();
        assertThat(TokenSecrets.hasPrefix(secret)).isTrue();
        assertThat(TokenSecrets.hasPrefix("eyJhbGciOi")).isFalse();
    }

    @Test
    void hashIsSha256OfTheWholeSecretAndDisplayPrefixIsEightCharacters() throws Exception {
        String secret = TokenSecrets.generate();
        assertThat(TokenSecrets.hash(secret)).hasSize(32).isEqualTo(java.security.MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(TokenSecrets.displayPrefix(secret)).isEqualTo(secret.substring(0, 8));
    }

    private static long decodeBase62(String text) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        long value = 0;
        for (char c : text.toCharArray()) {
            value = value * 62 + alphabet.indexOf(c);
        }
        return value;
    }
}
