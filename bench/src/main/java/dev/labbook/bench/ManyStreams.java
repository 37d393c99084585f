package dev.labbook.bench;

import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Many writers at once, as thousands of pods would: {@code streams} LogMetrics client streams,
 * spread over {@code connections} channels, all opened first and held open together, then each
 * sends {@code batches} batches of {@code points} points (one key per writer, 100 writers per
 * run) and closes. Measures the aggregate ingest rate and the server process's resident memory
 * and thread count (from /proc, sampled every 100 ms) while the streams are open.
 */
final class ManyStreams {
    /** What the phase measured. */
    record Result(long pointsAccepted, double seconds, int failedStreams, Map<String, Integer> failures,
            double rssMbBefore, double rssMbPeak, int threadsBefore, int threadsPeak, int threadsWithStreamsOpen) {
    }

    private ManyStreams() {
    }

    static Result run(Supplier<ManagedChannel> newChannel, Function<String, String> createRun, long serverPid,
            int streams, int connections, int batches, int points, long timeoutMs) throws Exception {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < (streams + 99) / 100; i++) {
            runs.add(createRun.apply(String.format(Locale.ROOT, "writers-%03d", i)));
        }
        List<List<LogMetricsRequest>> work = new ArrayList<>(streams);
        long t0 = 1_700_000_000_000L;
        for (int w = 0; w < streams; w++) {
            List<LogMetricsRequest> mine = new ArrayList<>(batches);
            for (int b = 0; b < batches; b++) {
                MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(runs.get(w / 100))
                        .setWriterId("writer-" + w).setSequence(b + 1).addKeys("writer-" + w + "/loss");
                for (int p = 0; p < points; p++) {
                    long step = (long) b * points + p;
                    batch.addKeyIndex(0).addStep(step).addTimestampMs(t0 + step * 100).addValue(1.0 / (1 + step));
                }
                mine.add(LogMetricsRequest.newBuilder().setBatch(batch).build());
            }
            work.add(mine);
        }
        List<ManagedChannel> channels = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            ManagedChannel channel = newChannel.get();
            channel.getState(true);
            channels.add(channel);
        }
        try (ProcSampler proc = ProcSampler.start(serverPid)) {
            Thread.sleep(300);
            double rssBefore = proc.rssMb();
            int threadsBefore = proc.threads();
            List<CompletableFuture<LogMetricsResponse>> responses = new ArrayList<>(streams);
            List<StreamObserver<LogMetricsRequest>> calls = new ArrayList<>(streams);
            for (int w = 0; w < streams; w++) {
                CompletableFuture<LogMetricsResponse> done = new CompletableFuture<>();
                responses.add(done);
                calls.add(MetricServiceGrpc.newStub(channels.get(w % connections))
                        .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                        .logMetrics(new StreamObserver<>() {
                            @Override
                            public void onNext(LogMetricsResponse value) {
                                done.complete(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.completeExceptionally(t);
                            }

                            @Override
                            public void onCompleted() {
                            }
                        }));
            }
            // Every stream open on the server at once, none sending yet.
            Thread.sleep(2_000);
            int threadsOpen = proc.threads();
            long start = System.nanoTime();
            for (int w = 0; w < streams; w++) {
                StreamObserver<LogMetricsRequest> call = calls.get(w);
                // Small batches: a few KiB per stream, well inside the flow-control window.
                work.get(w).forEach(call::onNext);
                call.onCompleted();
            }
            work.clear();
            long accepted = 0;
            int failed = 0;
            Map<String, Integer> failures = new TreeMap<>();
            for (CompletableFuture<LogMetricsResponse> response : responses) {
                try {
                    accepted += response.get(timeoutMs + 5_000, TimeUnit.MILLISECONDS).getAcceptedPoints();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed++;
                    Status status = Status.fromThrowable(e.getCause());
                    String description = status.getDescription() == null ? "" : status.getDescription();
                    failures.merge(status.getCode() + " " + description.substring(0, Math.min(60,
                            description.length())), 1, Integer::sum);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(200);
            return new Result(accepted, seconds, failed, failures, rssBefore, proc.peakRssMb(), threadsBefore,
                    proc.peakThreads(), threadsOpen);
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
        }
    }

    /** VmRSS and Threads of a process from /proc/PID/status, every 100 ms, with their peaks. */
    static final class ProcSampler implements AutoCloseable {
        private final Path status;
        private final Thread thread;
        private volatile double rssMb;
        private volatile double peakRssMb;
        private volatile int threads;
        private volatile int peakThreads;
        private volatile boolean closed;

        private ProcSampler(long pid) {
            this.status = Path.of("/proc", Long.toString(pid), "status");
            this.thread = new Thread(this::loop, "proc-sampler");
            this.thread.setDaemon(true);
        }

        static ProcSampler start(long pid) {
            ProcSampler sampler = new ProcSampler(pid);
            sampler.sample();
            sampler.thread.start();
            return sampler;
        }

        private void loop() {
            while (!closed) {
                sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        rssMb = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                        peakRssMb = Math.max(peakRssMb, rssMb);
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("\\D", ""));
                        peakThreads = Math.max(peakThreads, threads);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The process is gone or /proc is absent: keep the last values.
            }
        }

        double rssMb() {
            return rssMb;
        }

        double peakRssMb() {
            return peakRssMb;
        }

        int threads() {
            return threads;
        }

        int peakThreads() {
            return peakThreads;
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }
}
