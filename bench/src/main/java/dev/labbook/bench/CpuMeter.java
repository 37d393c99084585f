package dev.labbook.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU seconds used by the server JVM, its PostgreSQL processes (postmaster and backends) and this
 * client, from /proc (Linux only; reports nothing elsewhere). For the stderr breakdown of where
 * a phase's time goes on a machine whose cores client and server share.
 */
final class CpuMeter {
    private static final double TICKS_PER_S = 100.0; // USER_HZ, 100 on Linux

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final long serverPid;
    private final long postmasterPid;

    /**
     * @param postmasterPid the embedded PostgreSQL's postmaster (pg_ctl daemonises it, so it is
     *     not a descendant of the server JVM); its backends are its children
     */
    CpuMeter(long serverPid, long postmasterPid) {
        this.serverPid = serverPid;
        this.postmasterPid = postmasterPid;
    }

    /** CPU seconds so far: [server JVM, postgres, this client]. */
    double[] sample() {
        double jvm = seconds(serverPid);
        double pg = seconds(postmasterPid) + ProcessHandle.of(postmasterPid)
                .map(p -> p.descendants().mapToDouble(d -> seconds(d.pid())).sum()).orElse(0.0);
        double client = seconds(ProcessHandle.current().pid());
        return new double[] {jvm, pg, client};
    }

    String since(double[] before, double wallSeconds) {
        double[] now = sample();
        return String.format(Locale.ROOT, "CPU over %.2f s wall: server JVM %.2f s, PostgreSQL %.2f s, "
                + "bench client %.2f s (%d cores = %.2f s available)", wallSeconds, now[0] - before[0],
                now[1] - before[1], now[2] - before[2], CORES, CORES * wallSeconds);
    }

    /** utime + stime of a process; children not included; 0 when unreadable. */
    private static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ": f[0] is state (field 3); utime is field 14, stime field 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_S;
        } catch (Exception e) {
            return 0;
        }
    }
}
