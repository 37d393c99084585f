package dev.labbook.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Samples the server JVM's used heap with {@code jstat -gc PID 200} (the JDK's own tool, run
 * as a child process) and keeps the maximum of S0U+S1U+EU+OU. Sampling every 200 ms can miss a
 * short peak between two samples, so the result is a lower bound of the true peak.
 */
final class HeapSampler implements AutoCloseable {
    private static final List<String> USED_COLUMNS = List.of("S0U", "S1U", "EU", "OU");

    private final Process process;
    private final Thread reader;
    private volatile double peakKb = -1;
    private volatile double lastKb = -1;
    private volatile int samples;
    private volatile String error;

    private HeapSampler(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "heap-sampler");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static HeapSampler start(long pid, int intervalMs) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(jstat(), "-gc", Long.toString(pid), Integer.toString(intervalMs));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new HeapSampler(pb.start());
    }

    /** jstat of the JDK running this process, else the one on PATH. */
    static String jstat() {
        return ProcessHandle.current().info().command()
                .map(java -> Path.of(java).resolveSibling("jstat"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .orElse("jstat");
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            int[] columns = null;
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 0 && f[0].equals("S0C")) {
                    List<String> header = Arrays.asList(f);
                    columns = USED_COLUMNS.stream().mapToInt(header::indexOf).toArray();
                    continue;
                }
                if (columns == null) {
                    continue;
                }
                try {
                    double kb = 0;
                    for (int c : columns) {
                        kb += Double.parseDouble(f[c]);
                    }
                    lastKb = kb;
                    samples++;
                    if (kb > peakKb) {
                        peakKb = kb;
                    }
                } catch (RuntimeException e) {
                    error = line; // e.g. "-" while the JVM exits
                }
            }
        } catch (Exception e) {
            error = e.toString();
        }
    }

    double peakMb() {
        return peakKb < 0 ? -1 : peakKb / 1024.0;
    }

    double lastMb() {
        return lastKb < 0 ? -1 : lastKb / 1024.0;
    }

    int samples() {
        return samples;
    }

    String error() {
        return error;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
        reader.join(2000);
    }
}
