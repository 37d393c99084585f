package dev.labbook.server.domain.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.testing.FuzzStats;
import dev.labbook.server.testing.FuzzText;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of artifact path validation. Any string either comes back unchanged or
 * is refused as INVALID_ARGUMENT naming the field; an accepted path, read the way stores and
 * clients read it (split at '/' or '\', percent-decoded once or twice), stays inside the run's
 * prefix and means one thing: it is well-formed UTF-16 (a lone
 * surrogate would be written to S3 and PostgreSQL as '?', so two paths would share a key),
 * relative, without control characters, backslashes, empty, '.' or '..' segments.
 */
class ArtifactPathsFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("artifact_paths");

    @FuzzTest(maxDuration = "2s")
    @DictionaryEntries({"/", "..", ".", "%2e", "%2E", "%2f", "%5c", "%25", "\\", "~", "C:", "\u2028", "//"})
    void acceptsOnlyPathsThatStayInTheRun(byte[] input) {
        STATS.count();
        String path = FuzzText.decode(input);
        String valid;
        try {
            valid = ArtifactPaths.validate("path", path);
        } catch (InvalidArgumentException e) {
            assertThat(e.field()).isEqualTo("path");
            assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_FIELD);
            assertThat(e.getMessage()).startsWith("path: ");
            return;
        }
        assertThat(valid).isSameAs(path);
        assertThat(new String(path.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .as("UTF-8 round trip of %s", escaped(path)).isEqualTo(path);
        assertThat(path.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ArtifactPaths.MAX_PATH_BYTES);
        assertThat(path).doesNotStartWith("/").doesNotStartWith("~").doesNotContain("\\").doesNotEndWith("/");
        assertThat(path.chars().noneMatch(Character::isISOControl)).isTrue();
        assertStaysInRun(path);
        String once = percentDecoded(path);
        assertStaysInRun(once);
        assertStaysInRun(percentDecoded(once));
    }

    private static void assertStaysInRun(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new AssertionError("decodes to a NUL character: " + escaped(path));
        }
        // Without empty, '.' and '..' segments (by '/' or a Windows client's '\'), a relative path
        // joined to the run's prefix cannot leave it, whatever the platform's file names allow.
        for (String segment : path.split("[/\\\\]", -1)) {
            assertThat(segment).as("segment of %s", escaped(path)).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..");
        }
    }

    /** %XX decoded once, as a URL path decoder does (an invalid escape is kept as it is). */
    private static String percentDecoded(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    private static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.toString();
    }

    @AfterAll
    static void writeStats() {
        STATS.write();
    }
}
