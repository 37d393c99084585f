package dev.labbook.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.labbook.server.artifacts.ArtifactStore.PendingUpload;
import dev.labbook.server.testing.HostilePaths;
import dev.labbook.server.testing.HostilePaths.Hostile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link ArtifactStore} must have, run against each implementation by a
 * subclass (as zipkin's {@code ITStorage}): multipart round trips, atomic visibility, part
 * replacement, aborts, ranged reads, deletion, listing, pending uploads, and safety against
 * keys that try to leave their run's area. Every test works below its own random run id, so a
 * store (or bucket) may be shared by all tests of a class.
 */
public abstract class ArtifactStoreContract {
    protected static final int MIB = 1024 * 1024;
    static final String CANARY_FILE = "canary.txt";
    static final byte[] CANARY_CONTENT = "canary: must never be read, changed or deleted\n"
            .getBytes(StandardCharsets.UTF_8);

    /** The store under test; the same instance for all tests of a class is fine. */
    protected abstract ArtifactStore store();

    /**
     * A directory beside the store's own storage that the store must never touch; the contract
     * puts {@value #CANARY_FILE} in it.
     */
    protected abstract Path canaryDir();

    /**
     * The directories that hold the store's data on this machine (watched by the safety tests),
     * or none when the storage is not local.
     */
    protected List<Path> storageDirs() {
        return List.of();
    }

    /**
     * Whether {@code file} (below a {@link #storageDirs() storage directory}) may appear while
     * objects are written below {@code runs/<runId>/}: the run's directory, its ancestors and
     * the store's own staging areas.
     */
    protected boolean mayAppear(Path file, String runId) {
        return false;
    }

    @BeforeEach
    void plantCanary() throws IOException {
        Files.createDirectories(canaryDir());
        Path canary = canaryDir().resolve(CANARY_FILE);
        if (!Files.exists(canary)) {
            Files.write(canary, CANARY_CONTENT);
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /** A fresh run prefix {@code runs/<uuid>/}. */
    protected static String newRun() {
        return "runs/" + UUID.randomUUID() + "/";
    }

    protected static String newKey(String run, String path) {
        return run + UUID.randomUUID() + "/" + path;
    }

    protected static byte[] bytes(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    protected static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Uploads {@code parts} as parts 1..n and completes the upload. */
    protected void put(String key, byte[]... parts) {
        ArtifactStore store = store();
        String handle = store.beginUpload(key);
        List<String> tags = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < parts.length; i++) {
            tags.add(store.uploadPart(key, handle, i + 1, offset, parts[i], parts[i].length));
            offset += parts[i].length;
        }
        store.completeUpload(key, handle, tags, offset);
    }

    protected byte[] read(String key, long offset, long length) {
        try (InputStream in = store().read(key, offset, length)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compares large arrays without printing them. */
    protected static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("index of the first differing byte (-1: none)").isEqualTo(-1);
    }

    protected byte[] readAll(String key) {
        return read(key, 0, -1);
    }

    /**
     * Handles of the store's unfinished uploads, as the storage sees them: by default through
     * {@link ArtifactStore#pendingUploads()}; a subclass whose server cannot answer that call
     * (S3Proxy) asks its server another way, and overrides the tests of pendingUploads itself.
     */
    protected Set<String> pendingHandles() {
        return handles(store().pendingUploads());
    }

    private static Set<String> handles(List<PendingUpload> pending) {
        return pending.stream().map(PendingUpload::handle).collect(java.util.stream.Collectors.toSet());
    }

    // ---- uploads ------------------------------------------------------------------------

    /** Readiness: a store that works passes its check, again and again, leaving nothing behind. */
    @Test
    void aWorkingStorePassesItsCheck() {
        String run = newRun();
        for (int i = 0; i < 3; i++) {
            store().check();
        }
        assertThat(store().list(run)).isEmpty();
    }

    @Test
    void multipartUploadRoundTripsByteExactly() {
        String key = newKey(newRun(), "outputs/model.pt");
        byte[] p1 = bytes(ArtifactStore.MIN_PART_BYTES, 1);
        byte[] p2 = bytes(ArtifactStore.MIN_PART_BYTES + 12_345, 2);
        byte[] p3 = bytes(MIB + 7, 3);
        // The last part comes in a larger buffer, as the service's part buffer: only `length` counts.
        byte[] p3Buffer = Arrays.copyOf(p3, 8 * MIB);
        Arrays.fill(p3Buffer, p3.length, p3Buffer.length, (byte) 0x5A);

        ArtifactStore store = store();
        String handle = store.beginUpload(key);
        List<String> tags = new ArrayList<>();
        tags.add(store.uploadPart(key, handle, 1, 0, p1, p1.length));
        tags.add(store.uploadPart(key, handle, 2, p1.length, p2, p2.length));
        tags.add(store.uploadPart(key, handle, 3, p1.length + p2.length, p3Buffer, p3.length));
        assertThat(tags).doesNotContainNull();
        store.completeUpload(key, handle, tags, (long) p1.length + p2.length + p3.length);

        assertSameBytes(readAll(key), concat(p1, p2, p3));
        assertThat(pendingHandles()).doesNotContain(handle);
    }

    @Test
    void smallSinglePartObjectRoundTrips() {
        String key = newKey(newRun(), "notes.txt");
        byte[] data = "hello, artifacts\n".getBytes(StandardCharsets.UTF_8);
        put(key, data);
        assertThat(readAll(key)).isEqualTo(data);
    }

    @Test
    void objectIsInvisibleUntilCompleted() {
        String run = newRun();
        String key = newKey(run, "outputs/partial.bin");
        ArtifactStore store = store();
        String handle = store.beginUpload(key);
        byte[] p1 = bytes(ArtifactStore.MIN_PART_BYTES, 11);
        byte[] p2 = bytes(1000, 12);
        List<String> tags = new ArrayList<>();
        tags.add(store.uploadPart(key, handle, 1, 0, p1, p1.length));
        assertThat(store.list(run)).isEmpty();
        assertThatThrownBy(() -> readAll(key)).isInstanceOf(UncheckedIOException.class);
        tags.add(store.uploadPart(key, handle, 2, p1.length, p2, p2.length));
        assertThat(store.list(run)).isEmpty();
        assertThatThrownBy(() -> readAll(key)).isInstanceOf(UncheckedIOException.class);

        store.completeUpload(key, handle, tags, (long) p1.length + p2.length);
        assertThat(store.list(run)).containsExactly(key);
        assertSameBytes(readAll(key), concat(p1, p2));
    }

    @Test
    void completingOverAnExistingObjectReplacesIt() {
        String run = newRun();
        String key = newKey(run, "outputs/metrics.json");
        put(key, bytes(5000, 21));
        byte[] second = bytes(300, 22);
        put(key, second);
        assertThat(readAll(key)).isEqualTo(second);
        assertThat(store().list(run)).containsExactly(key);
    }

    @Test
    void storingTheLastPartAgainReplacesIt() {
        String key = newKey(newRun(), "outputs/retried.bin");
        ArtifactStore store = store();
        byte[] p1 = bytes(ArtifactStore.MIN_PART_BYTES, 31);
        byte[] p2First = bytes(200_000, 32);
        byte[] p2Again = bytes(150_000, 33); // shorter: nothing of the first attempt may survive
        String handle = store.beginUpload(key);
        String t1 = store.uploadPart(key, handle, 1, 0, p1, p1.length);
        store.uploadPart(key, handle, 2, p1.length, p2First, p2First.length);
        String t2 = store.uploadPart(key, handle, 2, p1.length, p2Again, p2Again.length);
        store.completeUpload(key, handle, List.of(t1, t2), (long) p1.length + p2Again.length);
        assertSameBytes(readAll(key), concat(p1, p2Again));
    }

    @Test
    void storingAPartAgainBeforeTheNextReplacesIt() {
        String key = newKey(newRun(), "outputs/retried-first.bin");
        ArtifactStore store = store();
        byte[] p1First = bytes(ArtifactStore.MIN_PART_BYTES, 41);
        byte[] p1Again = bytes(ArtifactStore.MIN_PART_BYTES, 42);
        byte[] p2 = bytes(1234, 43);
        String handle = store.beginUpload(key);
        store.uploadPart(key, handle, 1, 0, p1First, p1First.length);
        String t1 = store.uploadPart(key, handle, 1, 0, p1Again, p1Again.length);
        String t2 = store.uploadPart(key, handle, 2, p1Again.length, p2, p2.length);
        store.completeUpload(key, handle, List.of(t1, t2), (long) p1Again.length + p2.length);
        assertSameBytes(readAll(key), concat(p1Again, p2));
    }

    /** The interface promises "storing a part again replaces it" for any part, not just the last. */
    @Test
    void storingAnEarlierPartAgainKeepsTheLaterParts() {
        String key = newKey(newRun(), "outputs/retried-out-of-order.bin");
        ArtifactStore store = store();
        byte[] p1First = bytes(ArtifactStore.MIN_PART_BYTES, 51);
        byte[] p1Again = bytes(ArtifactStore.MIN_PART_BYTES, 52);
        byte[] p2 = bytes(4321, 53);
        String handle = store.beginUpload(key);
        store.uploadPart(key, handle, 1, 0, p1First, p1First.length);
        String t2 = store.uploadPart(key, handle, 2, p1First.length, p2, p2.length);
        String t1 = store.uploadPart(key, handle, 1, 0, p1Again, p1Again.length);
        store.completeUpload(key, handle, List.of(t1, t2), (long) p1Again.length + p2.length);
        assertSameBytes(readAll(key), concat(p1Again, p2));
    }

    @Test
    void emptyObjectFromOneEmptyPart() {
        String run = newRun();
        String key = newKey(run, "outputs/empty.txt");
        put(key, new byte[0]);
        assertThat(store().list(run)).containsExactly(key);
        assertThat(readAll(key)).isEmpty();
        assertThat(read(key, 0, 0)).isEmpty(); // what a download of an empty artifact asks for
    }

    @Test
    void abortRemovesAPendingUpload() {
        String run = newRun();
        String key = newKey(run, "outputs/aborted.bin");
        ArtifactStore store = store();
        String handle = store.beginUpload(key);
        byte[] p1 = bytes(ArtifactStore.MIN_PART_BYTES, 61);
        store.uploadPart(key, handle, 1, 0, p1, p1.length);
        assertThat(pendingHandles()).contains(handle);

        store.abortUpload(key, handle);
        assertThat(pendingHandles()).doesNotContain(handle);
        assertThat(store.list(run)).isEmpty();
        assertThatThrownBy(() -> readAll(key)).isInstanceOf(UncheckedIOException.class);
        store.abortUpload(key, handle); // unknown handles are ignored
    }

    @Test
    void pendingUploadsListsUnfinishedUploadsWithTheirHandles() {
        String run = newRun();
        String withPart = newKey(run, "a.bin");
        String withoutPart = newKey(run, "b.bin");
        ArtifactStore store = store();
        String h1 = store.beginUpload(withPart);
        String h2 = store.beginUpload(withoutPart);
        try {
            String tag = store.uploadPart(withPart, h1, 1, 0, new byte[10], 10);
            List<PendingUpload> pending = store.pendingUploads();
            assertThat(handles(pending)).contains(h1, h2);
            for (PendingUpload p : pending) {
                if (p.handle().equals(h1)) {
                    assertThat(p.key()).as("key of a pending upload, when known").isIn(null, withPart);
                }
                if (p.handle().equals(h2)) {
                    assertThat(p.key()).as("key of a pending upload, when known").isIn(null, withoutPart);
                }
            }
            store.completeUpload(withPart, h1, List.of(tag), 10);
            assertThat(handles(store.pendingUploads())).doesNotContain(h1).contains(h2);
        } finally {
            store.abortUpload(withoutPart, h2);
        }
        assertThat(handles(store.pendingUploads())).doesNotContain(h1, h2);
    }

    // ---- reads --------------------------------------------------------------------------

    @Test
    void readsRangesAndToTheEnd() {
        String key = newKey(newRun(), "data/range.bin");
        byte[] p1 = bytes(ArtifactStore.MIN_PART_BYTES, 71);
        byte[] p2 = bytes(100_000, 72);
        put(key, p1, p2);
        byte[] all = concat(p1, p2);
        int size = all.length;

        assertThat(read(key, 0, 10)).isEqualTo(Arrays.copyOfRange(all, 0, 10));
        assertThat(read(key, 1000, 5000)).isEqualTo(Arrays.copyOfRange(all, 1000, 6000));
        // A range across the part boundary.
        assertThat(read(key, p1.length - 100, 200)).isEqualTo(Arrays.copyOfRange(all, p1.length - 100,
                p1.length + 100));
        assertSameBytes(read(key, 4321, -1), Arrays.copyOfRange(all, 4321, size));
        assertThat(read(key, size - 1, -1)).isEqualTo(Arrays.copyOfRange(all, size - 1, size));
        assertThat(read(key, size - 1, 1)).isEqualTo(Arrays.copyOfRange(all, size - 1, size));
        // A length past the end stops at the end.
        assertThat(read(key, size - 10, 1000)).isEqualTo(Arrays.copyOfRange(all, size - 10, size));
        // Zero bytes from anywhere, also from the very end (what the service asks at offset == size).
        assertThat(read(key, 10, 0)).isEmpty();
        assertThat(read(key, size, 0)).isEmpty();
    }

    @Test
    void readingAMissingObjectFails() {
        assertThatThrownBy(() -> readAll(newKey(newRun(), "missing.txt"))).isInstanceOf(UncheckedIOException.class);
    }

    // ---- deletion and listing -----------------------------------------------------------

    @Test
    void deleteRemovesOneObject() {
        String run = newRun();
        String gone = newKey(run, "gone.txt");
        String kept = newKey(run, "kept.txt");
        put(gone, bytes(100, 81));
        put(kept, bytes(100, 82));
        store().delete(gone);
        assertThat(store().list(run)).containsExactly(kept);
        assertThatThrownBy(() -> readAll(gone)).isInstanceOf(UncheckedIOException.class);
        store().delete(gone); // missing: not an error
        store().delete(newKey(run, "never/existed.txt"));
        assertThat(readAll(kept)).isEqualTo(bytes(100, 82));
    }

    @Test
    void deletePrefixDeletesOnlyBelowThePrefix() {
        String run = newRun();
        String upload = UUID.randomUUID().toString();
        String otherRun = newRun();
        List<String> below = List.of(run + upload + "/a.txt", run + upload + "/b/c.txt", run + upload + "/b/d/e.txt");
        List<String> outside = List.of(
                run + upload + "x/sibling-with-common-start.txt", // same string prefix without the '/'
                run + upload + ".txt",
                run + UUID.randomUUID() + "/other-upload.txt",
                otherRun + upload + "/a.txt"); // same upload id in another run
        for (String key : below) {
            put(key, key.getBytes(StandardCharsets.UTF_8));
        }
        for (String key : outside) {
            put(key, key.getBytes(StandardCharsets.UTF_8));
        }

        store().deletePrefix(run + upload + "/");

        assertThat(store().list(run)).containsExactlyInAnyOrderElementsOf(outside.subList(0, 3));
        assertThat(store().list(otherRun)).containsExactly(outside.get(3));
        for (String key : outside) {
            assertThat(readAll(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
        }
        store().deletePrefix(run + upload + "/"); // nothing left: not an error
        store().deletePrefix(newRun());
    }

    @Test
    void deletePrefixOfAWholeRun() {
        String run = newRun();
        put(newKey(run, "a.txt"), new byte[] {1});
        put(newKey(run, "b/c.txt"), new byte[] {2});
        store().deletePrefix(run);
        assertThat(store().list(run)).isEmpty();
    }

    @Test
    void listIsRecursiveSortedAndComplete() {
        String run = newRun();
        String upload = UUID.randomUUID().toString();
        List<String> keys = new ArrayList<>();
        for (String path : List.of("z.txt", "a.txt", "a/b.txt", "a/b/c.txt", "a/b/c/d/e/f.txt", "m/n.txt",
                "a-b.txt", "a.b/c.txt", "plots/loss curve.png", "données/été.csv")) {
            keys.add(run + upload + "/" + path);
        }
        String secondUpload = newKey(run, "other.bin");
        keys.add(secondUpload);
        for (String key : keys) {
            put(key, key.getBytes(StandardCharsets.UTF_8));
        }

        List<String> listed = store().list(run);
        assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(listed).isSortedAccordingTo(ArtifactStoreContract::compareUtf8);
        assertThat(store().list(run + upload + "/a/")).containsExactlyInAnyOrder(
                run + upload + "/a/b.txt", run + upload + "/a/b/c.txt", run + upload + "/a/b/c/d/e/f.txt");
        assertThat(store().list(run + upload + "/nothing/")).isEmpty();
        assertThat(store().list(newRun())).isEmpty();
    }

    /** Byte-wise (UTF-8) order, the order of S3 listings. */
    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void manyObjectsAreAllListed() {
        String run = newRun();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String key = newKey(run, "images/step_" + i + ".png");
            keys.add(key);
            put(key, new byte[] {(byte) i});
        }
        assertThat(store().list(run)).containsExactlyInAnyOrderElementsOf(keys);
        store().deletePrefix(run);
        assertThat(store().list(run)).isEmpty();
    }

    @Test
    void pagesFromAKeyWalkTheWholeListingInOrder() {
        String run = newRun();
        List<String> keys = new ArrayList<>();
        for (String path : List.of("a.txt", "a/b.txt", "b.txt", "c/d/e.txt", "é.txt", "z.txt", "zz.txt")) {
            String key = newKey(run, path);
            keys.add(key);
            put(key, new byte[] {1});
        }
        List<String> all = store().list(run);
        assertThat(all).containsExactlyInAnyOrderElementsOf(keys);

        // Garbage collection walks the store a page at a time from the last key it saw.
        List<String> walked = new ArrayList<>();
        String after = null;
        List<Integer> pageSizes = new ArrayList<>();
        while (true) {
            List<String> page = store().list(run, after, 3);
            pageSizes.add(page.size());
            walked.addAll(page);
            if (page.size() < 3) {
                break;
            }
            after = page.get(page.size() - 1);
        }
        assertThat(walked).isEqualTo(all);
        assertThat(pageSizes).containsExactly(3, 3, 1);
        assertThat(store().list(run, all.get(all.size() - 1), 3)).isEmpty();
        assertThat(store().list(newRun(), null, 3)).isEmpty();
    }

    // ---- safety -------------------------------------------------------------------------

    static Stream<Hostile> hostilePaths() {
        return HostilePaths.all().stream();
    }

    /**
     * Feeds a hostile path to the store without the service's validation: every operation must
     * either be refused ({@link IllegalArgumentException}; a storage refusal such as a too long
     * file name as {@link UncheckedIOException}) or stay strictly below {@code runs/<run>/}, and
     * nothing outside the run's area (or beside the store) may appear, change or be read.
     */
    @ParameterizedTest(name = "hostile path: {0}")
    @MethodSource("hostilePaths")
    void hostilePathsStayInsideTheRun(Hostile hostile) throws IOException {
        ArtifactStore store = store();
        String runId = UUID.randomUUID().toString();
        String run = "runs/" + runId + "/";
        String key = run + UUID.randomUUID() + "/" + hostile.path();
        byte[] content = ("content of " + hostile.name()).getBytes(StandardCharsets.UTF_8);
        Set<String> keysBefore = Set.copyOf(store.list("runs/"));
        TreeMap<Path, String> filesBefore = snapshot(storageDirs());
        TreeMap<Path, String> canaryBefore = snapshot(List.of(canaryDir()));

        // Reading before anything was written must not find anything (e.g. the canary).
        attempt(() -> readAll(key), result -> fail("read of a never written hostile key returned "
                + ((byte[]) result).length + " bytes"));

        boolean stored = false;
        String handle = null;
        try {
            handle = store.beginUpload(key);
            String tag = store.uploadPart(key, handle, 1, 0, content, content.length);
            store.completeUpload(key, handle, List.of(tag), content.length);
            stored = true;
        } catch (IllegalArgumentException | UncheckedIOException refused) {
            // refused: fine, as long as nothing leaked (checked below)
        } finally {
            if (handle != null && !stored) {
                String h = handle;
                attempt(() -> {
                    store.abortUpload(key, h);
                    return null;
                }, ignored -> { });
            }
        }

        if (stored) {
            assertThat(store.list(run)).as("the object is listed below its run").contains(key);
            assertThat(readAll(key)).isEqualTo(content);
        }
        for (String k : store.list("runs/")) {
            if (!keysBefore.contains(k)) {
                assertThat(k).as("new key").startsWith(run);
            }
        }
        attempt(() -> store.list(key + "/"), listed -> {
            for (String k : listed) {
                assertThat(k).startsWith(run);
            }
        });
        checkFiles(filesBefore, snapshot(storageDirs()), runId);
        assertThat(snapshot(List.of(canaryDir()))).as("canary directory").isEqualTo(canaryBefore);

        // Deleting must not reach outside either.
        attempt(() -> {
            store.delete(key);
            return null;
        }, ignored -> { });
        attempt(() -> {
            store.deletePrefix(key + "/");
            return null;
        }, ignored -> { });
        assertThat(snapshot(List.of(canaryDir()))).as("canary directory after delete").isEqualTo(canaryBefore);
        assertThat(Files.readAllBytes(canaryDir().resolve(CANARY_FILE))).isEqualTo(CANARY_CONTENT);
        for (String k : keysBefore) {
            if (!k.startsWith(run)) {
                assertThat(store.list("runs/")).as("other runs' objects survive").contains(k);
                break;
            }
        }
        if (stored) {
            assertThat(store.list(run)).doesNotContain(key);
        }
    }

    private void checkFiles(TreeMap<Path, String> before, TreeMap<Path, String> after, String runId) {
        for (var entry : after.entrySet()) {
            Path file = entry.getKey();
            if (!entry.getValue().equals(before.get(file)) && !mayAppear(file, runId)) {
                fail("the store created or changed " + file + " outside the run's area");
            }
        }
        for (Path file : before.keySet()) {
            if (!after.containsKey(file) && !mayAppear(file, runId)) {
                fail("the store removed " + file + " outside the run's area");
            }
        }
    }

    /** Runs {@code call}; a refusal passes, a result goes to {@code onResult}. */
    protected static <T> void attempt(java.util.concurrent.Callable<T> call, java.util.function.Consumer<T> onResult) {
        T result;
        try {
            result = call.call();
        } catch (IllegalArgumentException | UncheckedIOException | IllegalStateException refused) {
            return;
        } catch (Exception e) {
            throw new AssertionError("unexpected failure " + e, e);
        }
        onResult.accept(result);
    }

    /**
     * Every file, directory and link below {@code dirs} (links not followed), with a fingerprint
     * of its kind, size and modification time (files) or target (links).
     */
    protected static TreeMap<Path, String> snapshot(List<Path> dirs) throws IOException {
        TreeMap<Path, String> files = new TreeMap<>();
        for (Path dir : dirs) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    String fingerprint;
                    if (Files.isSymbolicLink(p)) {
                        fingerprint = "link->" + Files.readSymbolicLink(p);
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        fingerprint = "dir";
                    } else {
                        fingerprint = "file:" + Files.size(p) + ":"
                                + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() + ":"
                                + Arrays.hashCode(Files.size(p) <= 1 << 20 ? Files.readAllBytes(p) : new byte[0]);
                    }
                    files.put(p, fingerprint);
                }
            }
        }
        return files;
    }
}
