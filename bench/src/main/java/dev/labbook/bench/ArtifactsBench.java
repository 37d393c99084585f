package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.DeleteArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The artifacts benchmark client, started by {@code bench/run artifacts} against a Labbook server
 * process whose artifact store is an S3 server (S3Proxy over a directory, {@link S3ProxyMain}) on
 * 127.0.0.1. It times, for the same random content: UploadArtifact through Labbook (header with
 * size and sha256, then 1 MiB chunks with flow control; the clock stops when the response says
 * the artifact is stored and verified), DownloadArtifact of it (every byte compared), and a
 * plain minio-java multipart upload with 8 MiB parts straight to the same S3 server. Each is
 * repeated and the median reported; raw and Labbook uploads alternate so drift hits both.
 */
public final class ArtifactsBench {
    private static final PrintStream RESULTS =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final int MIB = 1024 * 1024;
    private static final int RAW_PART_BYTES = 8 * MIB;

    private final Map<String, String> options;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final long deadlineNanos;
    private ManagedChannel channel;
    private MinioClient s3;
    private String bucket;
    private int chunkBytes;

    private ArtifactsBench(Map<String, String> options) {
        this.options = options;
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOption("time-limit-s", 540));
    }

    public static void main(String[] args) {
        System.setOut(System.err); // only results go to the real stdout
        Map<String, String> options = BenchArgs.parse(args);
        if (!options.containsKey("port") || !options.containsKey("s3-endpoint")
                || !options.containsKey("s3-access-key") || !options.containsKey("s3-secret-key")) {
            System.err.println("usage: ArtifactsBench --port P --s3-endpoint URL --s3-access-key K --s3-secret-key S "
                    + "[--s3-bucket bench] [--host 127.0.0.1] [--size-mb 512] [--chunk-kb 1024] [--warmup-mb 64] "
                    + "[--repeats 3] [--server-pid PID] [--data-dir DIR] [--s3-pid PID] [--time-limit-s 540]");
            System.exit(2);
        }
        int code = 0;
        try {
            new ArtifactsBench(options).run();
        } catch (Throwable t) {
            log("FAILED: " + t);
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private void run() throws Exception {
        String host = options.getOrDefault("host", "127.0.0.1");
        channel = NettyChannelBuilder.forAddress(host, intOption("port", 0)).usePlaintext()
                .maxInboundMessageSize(16 * MIB).build();
        bucket = options.getOrDefault("s3-bucket", "bench");
        s3 = MinioClient.builder().endpoint(options.get("s3-endpoint")).region("us-east-1")
                .credentials(options.get("s3-access-key"), options.get("s3-secret-key")).build();
        chunkBytes = intOption("chunk-kb", 1024) * 1024;
        int sizeMb = intOption("size-mb", 512);
        int warmupMb = intOption("warmup-mb", 64);
        int repeats = intOption("repeats", 3);
        Cpu cpu = new Cpu(options);

        String runId = RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .openRun(OpenRunRequest.newBuilder().setProject("bench").setExperimentName("artifacts-bench")
                        .setCreateExperimentIfMissing(true).setName("artifacts-" + System.currentTimeMillis()).build())
                .getRun().getId();

        long t0 = System.nanoTime();
        byte[] data = new byte[sizeMb * MIB];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < data.length; i += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8; b++) {
                data[i + b] = (byte) (v >>> (8 * b));
            }
        }
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        log(String.format(Locale.ROOT, "built %d MiB of random content in %.1f s (sha256 %s...)", sizeMb,
                seconds(System.nanoTime() - t0), sha256.substring(0, 12)));

        // Warm-up: JIT of client, server and S3 server, connections, the bucket.
        byte[] warm = Arrays.copyOf(data, warmupMb * MIB);
        String warmSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(warm));
        for (int i = 0; i < 2; i++) {
            upload(runId, "warmup/w" + i + ".bin", warm, warmSha);
            download(runId, "warmup/w" + i + ".bin", warm);
            delete(runId, "warmup/w" + i + ".bin");
            rawUpload("warmup/raw-" + i + ".bin", warm);
        }
        log("warm-up done (2 x " + warmupMb + " MiB each way)");

        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            checkDeadline();
            boolean rawFirst = r % 2 == 0;
            if (rawFirst) {
                raw.add(timedRaw(r, data, cpu));
            }
            String path = "outputs/bench-" + r + ".bin";
            up.add(timedUpload(runId, path, data, sha256, cpu));
            down.add(timedDownload(runId, path, data, cpu));
            delete(runId, path);
            if (!rawFirst) {
                raw.add(timedRaw(r, data, cpu));
            }
        }
        double upMedian = median(up);
        double rawMedian = median(raw);
        results.put("artifact_upload_mb_s", fmt(upMedian, 1));
        results.put("artifact_download_mb_s", fmt(median(down), 1));
        results.put("raw_s3_upload_mb_s", fmt(rawMedian, 1));
        results.put("artifact_upload_ratio", fmt(upMedian / rawMedian, 3));
        results.put("artifact_size_mb", Integer.toString(sizeMb));
        results.put("artifact_chunk_kb", Integer.toString(chunkBytes / 1024));
        log("all runs (MiB/s): upload " + up + ", download " + down + ", raw S3 upload " + raw);
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        s3.close();
        results.forEach((name, value) -> RESULTS.println(name + "=" + value));
    }

    private double timedUpload(String runId, String path, byte[] data, String sha256, Cpu cpu) throws Exception {
        double[] before = cpu.sample();
        long start = System.nanoTime();
        UploadArtifactResponse response = upload(runId, path, data, sha256);
        double s = seconds(System.nanoTime() - start);
        if (response.getArtifact().getSizeBytes() != data.length || !response.getArtifact().getSha256().equals(sha256)) {
            throw new IllegalStateException("the server stored " + response.getArtifact().getSizeBytes() + " bytes "
                    + response.getArtifact().getSha256() + ", not " + data.length + " " + sha256);
        }
        double mbs = data.length / (double) MIB / s;
        log(String.format(Locale.ROOT, "UploadArtifact %s: %.2f s, %.1f MiB/s; %s", path, s, mbs,
                cpu.since(before, s)));
        return mbs;
    }

    private double timedDownload(String runId, String path, byte[] data, Cpu cpu) {
        double[] before = cpu.sample();
        long start = System.nanoTime();
        download(runId, path, data);
        double s = seconds(System.nanoTime() - start);
        double mbs = data.length / (double) MIB / s;
        log(String.format(Locale.ROOT, "DownloadArtifact %s: %.2f s, %.1f MiB/s; %s", path, s, mbs,
                cpu.since(before, s)));
        return mbs;
    }

    private double timedRaw(int r, byte[] data, Cpu cpu) throws Exception {
        String key = "raw/bench-" + r + ".bin";
        double[] before = cpu.sample();
        long start = System.nanoTime();
        rawUpload(key, data);
        double s = seconds(System.nanoTime() - start);
        double mbs = data.length / (double) MIB / s;
        log(String.format(Locale.ROOT, "raw minio putObject %s (8 MiB parts): %.2f s, %.1f MiB/s; %s", key, s, mbs,
                cpu.since(before, s)));
        return mbs;
    }

    /** UploadArtifact honouring flow control; returns the response (stored and verified). */
    private UploadArtifactResponse upload(String runId, String path, byte[] data, String sha256) throws Exception {
        CompletableFuture<UploadArtifactResponse> result = new CompletableFuture<>();
        UploadHeader header = UploadHeader.newBuilder().setRunId(runId).setPath(path)
                .setMediaType("application/octet-stream").setSizeBytes(data.length).setSha256(sha256).build();
        ClientResponseObserver<UploadArtifactRequest, UploadArtifactResponse> observer = new ClientResponseObserver<>() {
            private ClientCallStreamObserver<UploadArtifactRequest> stream;
            private boolean headerSent;
            private int offset;
            private boolean done;

            @Override
            public void beforeStart(ClientCallStreamObserver<UploadArtifactRequest> requestStream) {
                stream = requestStream;
                stream.setOnReadyHandler(this::pump);
            }

            private synchronized void pump() {
                while (!done && stream.isReady()) {
                    if (!headerSent) {
                        stream.onNext(UploadArtifactRequest.newBuilder().setHeader(header).build());
                        headerSent = true;
                    } else if (offset < data.length) {
                        int n = Math.min(chunkBytes, data.length - offset);
                        ByteString chunk = UnsafeByteOperations.unsafeWrap(data, offset, n);
                        stream.onNext(UploadArtifactRequest.newBuilder().setChunk(chunk).build());
                        offset += n;
                    } else {
                        stream.onCompleted();
                        done = true;
                    }
                }
            }

            @Override
            public void onNext(UploadArtifactResponse value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.completeExceptionally(new IllegalStateException("upload ended without a response"));
            }
        };
        ArtifactServiceGrpc.newStub(channel).withDeadlineAfter(remainingSeconds(), TimeUnit.SECONDS)
                .uploadArtifact(observer);
        return result.get(remainingSeconds() + 5, TimeUnit.SECONDS);
    }

    /** DownloadArtifact, comparing every received byte with {@code expected}. */
    private void download(String runId, String path, byte[] expected) {
        Iterator<DownloadArtifactResponse> stream = ArtifactServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(remainingSeconds(), TimeUnit.SECONDS)
                .downloadArtifact(DownloadArtifactRequest.newBuilder().setRunId(runId).setPath(path).build());
        long offset = 0;
        while (stream.hasNext()) {
            ByteString chunk = stream.next().getChunk();
            int n = chunk.size();
            if (offset + n > expected.length
                    || chunk.asReadOnlyByteBuffer().mismatch(ByteBuffer.wrap(expected, (int) offset, n)) >= 0) {
                throw new IllegalStateException("download of " + path + " differs at or after byte " + offset);
            }
            offset += n;
        }
        if (offset != expected.length) {
            throw new IllegalStateException("download of " + path + " gave " + offset + " of " + expected.length
                    + " bytes");
        }
    }

    private void delete(String runId, String path) {
        ArtifactServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .deleteArtifact(DeleteArtifactRequest.newBuilder().setRunId(runId).setPath(path).build());
    }

    /** minio-java multipart upload with 8 MiB parts; checks the stored size, then removes it. */
    private void rawUpload(String key, byte[] data) throws Exception {
        s3.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, RAW_PART_BYTES)
                .contentType("application/octet-stream").build());
        StatObjectResponse stat = s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
        if (stat.size() != data.length) {
            throw new IllegalStateException("S3 stored " + stat.size() + " bytes of " + data.length);
        }
        s3.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    }

    /** CPU seconds of the server JVM, its PostgreSQL, the S3 server JVM and this client. */
    private static final class Cpu {
        private final CpuMeter meter;
        private final long s3Pid;

        Cpu(Map<String, String> options) {
            CpuMeter m = null;
            if (options.containsKey("server-pid") && options.containsKey("data-dir")) {
                try {
                    m = new CpuMeter(Long.parseLong(options.get("server-pid")),
                            new StorageProbe(Path.of(options.get("data-dir"))).postmasterPid());
                } catch (Exception e) {
                    log("no CPU breakdown: " + e);
                }
            }
            meter = m;
            s3Pid = Long.parseLong(options.getOrDefault("s3-pid", "-1"));
        }

        double[] sample() {
            double[] base = meter == null ? new double[3] : meter.sample();
            return new double[] {base[0], base[1], base[2], procSeconds(s3Pid)};
        }

        String since(double[] before, double wall) {
            double[] now = sample();
            return String.format(Locale.ROOT, "CPU s: server JVM %.2f, PostgreSQL %.2f, S3 server %.2f, client %.2f "
                    + "(of %.2f available)", now[0] - before[0], now[1] - before[1], now[3] - before[3],
                    now[2] - before[2], Runtime.getRuntime().availableProcessors() * wall);
        }

        private static double procSeconds(long pid) {
            if (pid <= 0) {
                return 0;
            }
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
            } catch (Exception e) {
                return 0;
            }
        }
    }

    private void checkDeadline() {
        if (System.nanoTime() > deadlineNanos) {
            throw new IllegalStateException("time limit reached");
        }
    }

    private long remainingSeconds() {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadlineNanos - System.nanoTime()));
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private int intOption(String name, int fallback) {
        return BenchArgs.intOption(options, name, fallback);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }



    private static void log(String message) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " artifacts-bench: " + message);
    }
}
