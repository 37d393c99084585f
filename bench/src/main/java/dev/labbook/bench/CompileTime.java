package dev.labbook.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Seconds the server JVM's JIT compilers have spent so far, from {@code jstat -compiler PID}
 * (column {@code Time}). The difference across a phase says how much of the server's CPU in
 * that phase went into compiling code rather than running it: on a 2-core machine the C2
 * thread competes with the request threads and the client for the same cores.
 */
final class CompileTime {
    private CompileTime() {
    }

    /** Total JIT compile seconds of {@code pid}, or NaN when jstat cannot tell. */
    static double seconds(long pid) {
        try {
            Process p = new ProcessBuilder(HeapSampler.jstat(), "-compiler", Long.toString(pid))
                    .redirectErrorStream(true).start();
            List<String> lines;
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                lines = in.lines().toList();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS) || lines.size() < 2) {
                p.destroyForcibly();
                return Double.NaN;
            }
            int column = Arrays.asList(lines.get(0).trim().split("\\s+")).indexOf("Time");
            return column < 0 ? Double.NaN : Double.parseDouble(lines.get(1).trim().split("\\s+")[column]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
