package dev.labbook.server.domain.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ResourceExhaustedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upload session on its own, against in-memory {@link UploadParts}: no database, no store,
 * no ArtifactService. Parts are cut at the part size, recorded in part order with their offsets,
 * and the finish reports the size and SHA-256 of every byte; a failed part stops the recording.
 */
class UploadSessionTest {
    private static final int PART = 4;
    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final UploadMemory memory = new UploadMemory(64L * 1024 * 1024, 1);

    @AfterEach
    void stopWriters() {
        writers.shutdownNow();
    }

    /** Parts kept in memory; records what the session asked for, in order. */
    private static class MemoryParts implements UploadParts {
        final Map<Integer, String> stored = new ConcurrentHashMap<>();
        final List<String> recorded = new CopyOnWriteArrayList<>();
        volatile String completed;

        @Override
        public String store(Upload upload, int partNumber, long offset, byte[] data, int length) {
            stored.put(partNumber, new String(data, 0, length, StandardCharsets.UTF_8));
            return "tag" + partNumber;
        }

        @Override
        public void record(Upload upload, int partNumber, String tag, long offset, int length, byte[] digestState) {
            recorded.add(partNumber + ":" + tag + "@" + offset + "+" + length);
        }

        @Override
        public Artifact complete(Upload upload, long size, String sha256) {
            completed = size + " " + sha256;
            return new Artifact(upload.runId(), upload.path(), false, upload.direction(), upload.mediaType(), size,
                    sha256, null, "", upload.objectKey(), Instant.EPOCH);
        }
    }

    private static Upload upload() {
        return new Upload(UUID.randomUUID(), UUID.randomUUID(), "model.bin", Direction.OUTPUT,
                "application/octet-stream", null, null, null, "runs/x/y/model.bin", "handle", PART, 0,
                new SHA256Digest().getEncodedState(), false, List.of());
    }

    private UploadSession session(UploadParts parts, long maxBytes) {
        return new UploadSession(parts, upload(), maxBytes, writers, memory);
    }

    @Test
    void bytesAreCutIntoPartsRecordedInOrderAndFinishedWithTheirSizeAndHash() throws Exception {
        MemoryParts parts = new MemoryParts();
        UploadSession session = session(parts, 1_000);
        session.write(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.UTF_8)));
        session.write(ByteBuffer.wrap("ghij".getBytes(StandardCharsets.UTF_8)));

        Artifact artifact = session.finish();

        assertThat(parts.stored).containsExactlyInAnyOrderEntriesOf(Map.of(1, "abcd", 2, "efgh", 3, "ij"));
        assertThat(parts.recorded).containsExactly("1:tag1@0+4", "2:tag2@4+4", "3:tag3@8+2");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("abcdefghij".getBytes(StandardCharsets.UTF_8)));
        assertThat(parts.completed).isEqualTo("10 " + sha);
        assertThat(artifact.sizeBytes()).isEqualTo(10);
    }

    @Test
    void commitStoresWholePartsAndReturnsTheDurableCount() {
        MemoryParts parts = new MemoryParts();
        UploadSession session = session(parts, 1_000);
        session.write(ByteBuffer.wrap("abcdefgh".getBytes(StandardCharsets.UTF_8)));

        assertThat(session.commit()).isEqualTo(8);
        assertThat(parts.recorded).containsExactly("1:tag1@0+4", "2:tag2@4+4");
        assertThat(parts.completed).isNull();
    }

    @Test
    void aFailedPartIsReportedAndNoLaterPartIsRecorded() {
        MemoryParts parts = new MemoryParts() {
            @Override
            public String store(Upload upload, int partNumber, long offset, byte[] data, int length) {
                if (partNumber == 2) {
                    throw new IllegalStateException("store down for part 2");
                }
                return super.store(upload, partNumber, offset, data, length);
            }
        };
        UploadSession session = session(parts, 1_000);
        session.write(ByteBuffer.wrap("abcdefghijkl".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(session::finish).hasMessage("store down for part 2");
        assertThat(parts.recorded).containsExactly("1:tag1@0+4");
        assertThat(parts.completed).isNull();
    }

    @Test
    void moreBytesThanTheLimitAreRefusedBeforeAnyIsStored() {
        MemoryParts parts = new MemoryParts();
        UploadSession session = session(parts, 3);

        assertThatThrownBy(() -> session.write(ByteBuffer.wrap("abcd".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ResourceExhaustedException.class);
        session.abandon();
        assertThat(parts.stored).isEmpty();
    }
}
