package dev.labbook.server.testing;

import java.util.List;

/**
 * Relative artifact paths that must never be accepted: traversal, absolute and drive paths,
 * backslashes, empty and dot segments, control characters, URL-encoded (also double-encoded)
 * dots and separators, home references, Unicode line separators and over-long paths. Shared by
 * the path validation test and the artifact store contract (which feeds them to stores directly).
 */
public final class HostilePaths {
    private HostilePaths() {
    }

    /** Hostile paths, each with a short name for test reports. */
    public record Hostile(String name, String path) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Hostile> all() {
        return List.of(
                new Hostile("empty", ""),
                new Hostile("dot-dot", ".."),
                new Hostile("dot", "."),
                new Hostile("slash", "/"),
                new Hostile("dot-dot/x", "../x"),
                new Hostile("a/dot-dot", "a/.."),
                new Hostile("a/../../x", "a/../../x"),
                new Hostile("a/b/../../../x", "a/b/../../../x"),
                new Hostile("climb to the canary", "../../../../canary/canary.txt"),
                new Hostile("/etc/passwd", "/etc/passwd"),
                new Hostile("//server/share", "//server/share/x"),
                new Hostile("backslash windows path", "\\windows\\system32"),
                new Hostile("a backslash b", "a\\b"),
                new Hostile("backslash traversal", "..\\..\\x"),
                new Hostile("UNC path", "\\\\server\\share\\x"),
                new Hostile("C:\\x", "C:\\x"),
                new Hostile("C:/x", "C:/x"),
                new Hostile("c:x (drive-relative)", "c:x"),
                new Hostile("a//b", "a//b"),
                new Hostile("trailing slash", "a/"),
                new Hostile("./a", "./a"),
                new Hostile("a/./b", "a/./b"),
                new Hostile("NUL", "a\u0000b"),
                new Hostile("NUL at end", "model.pt\u0000.png"),
                new Hostile("newline", "a\nb"),
                new Hostile("carriage return", "a\rb"),
                new Hostile("tab", "a\tb"),
                new Hostile("escape", "a\u001b[2Jb"),
                new Hostile("DEL", "a\u007fb"),
                new Hostile("C1 control NEL", "a\u0085b"),
                new Hostile("line separator U+2028", "a\u2028b"),
                new Hostile("paragraph separator U+2029", "a/\u2029/b"),
                new Hostile("%2e%2e/x", "%2e%2e/x"),
                new Hostile("%2E%2E/x upper case", "%2E%2E/x"),
                new Hostile("%2e%2e%2fx", "%2e%2e%2fx"),
                new Hostile("..%2f", "..%2f"),
                new Hostile("..%2fx", "..%2fx"),
                new Hostile("a/%2e/b", "a/%2e/b"),
                new Hostile("a%2fb encoded slash", "a%2fb"),
                new Hostile("a%5cb encoded backslash", "a%5cb"),
                new Hostile("a%00b encoded NUL", "a%00b"),
                new Hostile("%252e%252e/x double encoding", "%252e%252e/x"),
                new Hostile("%25%32%65%25%32%65/x double encoding", "%25%32%65%25%32%65/x"),
                new Hostile("..%252f double-encoded slash", "..%252fx"),
                new Hostile("~/x", "~/x"),
                new Hostile("~root/x", "~root/x"),
                new Hostile("path of 1025 bytes", "x".repeat(1025)),
                new Hostile("path of 1030 bytes in short segments", "abcd/".repeat(205) + "xxxxx"),
                new Hostile("path of 1026 UTF-8 bytes in 513 chars", "é".repeat(513)),
                new Hostile("segment of 256 bytes", "dir/" + "s".repeat(256)),
                new Hostile("segment of 256 UTF-8 bytes in 128 chars", "é".repeat(128)));
    }
}
