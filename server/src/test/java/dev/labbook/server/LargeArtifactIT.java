package dev.labbook.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.FirstResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB artifact goes up and comes back through a real server process limited to a 256 MiB
 * heap: uploads and downloads stream in constant memory.
 */
class LargeArtifactIT {
    private static final long SIZE = 1024L * 1024 * 1024;
    private static final int CHUNK = 1024 * 1024;
    private static final Pattern SERVING = Pattern.compile("serving on port (\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void oneGibibyteThroughAServerWithA256MiBHeap() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", Path.of("..", "bin", "labbook").toString(), "server",
                "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(), "--compaction-interval", "0")
                .redirectErrorStream(true);
        builder.environment().put("LABBOOK_NO_BUILD", "1");
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        Process server = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) {
                            return Integer.parseInt(m.group(1));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("server exited");
            }).get(120, TimeUnit.SECONDS);
            Thread drain = new Thread(() -> out.lines().forEach(line -> { }));
            drain.setDaemon(true);
            drain.start();

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .maxInboundMessageSize(8 * CHUNK).build();
            try {
                String run = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                        .setExperimentName("large").setName("one-gib").build()).getRun().getId();
                String sent = uploadStreaming(channel, run);
                String received = downloadStreaming(channel, run);

                assertThat(received).isEqualTo(sent);
                assertThat(server.isAlive()).as("server survived with -Xmx256m").isTrue();
                // With -Xmx256m the upload memory budget is 64 MiB (24 MiB per upload of unknown
                // size): uploads that finished or broke off must have given theirs back.
                for (int i = 0; i < 6; i++) {
                    byte[] small = ArtifactTransfers.content(0, 100_000, i);
                    UploadHeader header = UploadHeader.newBuilder().setRunId(run).setPath("small/" + i).build();
                    if (i % 2 == 0) {
                        ArtifactTransfers.upload(channel, header, small, 16_384, 50_000);
                    }
                    ArtifactTransfers.upload(channel, header, small, 16_384, -1);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static String uploadStreaming(ManagedChannel channel, String run) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        FirstResponse<UploadArtifactResponse> result = new FirstResponse<>();
        ClientCallStreamObserver<UploadArtifactRequest> stream = (ClientCallStreamObserver<UploadArtifactRequest>)
                ArtifactServiceGrpc.newStub(channel).uploadArtifact(result);
        stream.onNext(UploadArtifactRequest.newBuilder().setHeader(UploadHeader.newBuilder().setRunId(run)
                .setPath("checkpoints/big.bin").setSizeBytes(SIZE)).build());
        for (long offset = 0; offset < SIZE; offset += CHUNK) {
            byte[] chunk = ArtifactTransfers.content(offset, CHUNK, 99);
            sha.update(chunk);
            while (!stream.isReady() && !result.isDone()) {
                LockSupport.parkNanos(100_000);
            }
            assertThat(result.isDone()).as("upload ended early: %s", result).isFalse();
            stream.onNext(UploadArtifactRequest.newBuilder().setChunk(ByteString.copyFrom(chunk)).build());
        }
        stream.onCompleted();
        UploadArtifactResponse response = result.await(600);
        String expected = HexFormat.of().formatHex(sha.digest());
        assertThat(response.getArtifact().getSizeBytes()).isEqualTo(SIZE);
        assertThat(response.getArtifact().getSha256()).isEqualTo(expected);
        return expected;
    }

    private static String downloadStreaming(ManagedChannel channel, String run) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        Iterator<DownloadArtifactResponse> pages = ArtifactServiceGrpc.newBlockingStub(channel).downloadArtifact(
                DownloadArtifactRequest.newBuilder().setRunId(run).setPath("checkpoints/big.bin").build());
        while (pages.hasNext()) {
            ByteString chunk = pages.next().getChunk();
            for (java.nio.ByteBuffer buffer : chunk.asReadOnlyByteBufferList()) {
                total += buffer.remaining();
                sha.update(buffer);
            }
        }
        assertThat(total).isEqualTo(SIZE);
        return HexFormat.of().formatHex(sha.digest());
    }
}
