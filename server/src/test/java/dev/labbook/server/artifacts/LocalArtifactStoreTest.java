package dev.labbook.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link ArtifactStoreContract} for a directory, plus symbolic links planted inside it. */
class LocalArtifactStoreTest extends ArtifactStoreContract {
    @TempDir
    Path base;

    private LocalArtifactStore store;

    private Path root() {
        return base.resolve("store");
    }

    @BeforeEach
    void openStore() {
        store = new LocalArtifactStore(root());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected Path canaryDir() {
        return base.resolve("canary");
    }

    @Override
    protected List<Path> storageDirs() {
        return List.of(base); // the store's root and everything beside it
    }

    @Override
    protected boolean mayAppear(Path file, String runId) {
        Path runDir = root().toAbsolutePath().resolve("runs").resolve(runId);
        return file.toAbsolutePath().startsWith(runDir) || runDir.startsWith(file.toAbsolutePath())
                && file.toAbsolutePath().startsWith(root().toAbsolutePath());
    }

    @Override
    @Test
    void storingAnEarlierPartAgainKeepsTheLaterParts() {
        super.storingAnEarlierPartAgainKeepsTheLaterParts();
    }

    @Test
    void keepsStagedUploadsInItsOwnDirectory() throws IOException {
        String key = newKey(newRun(), "staged.bin");
        String handle = store.beginUpload(key);
        store.uploadPart(key, handle, 1, 0, new byte[] {1, 2, 3}, 3);
        assertThat(root().resolve(".uploads").resolve(handle)).exists();
        assertThatThrownBy(() -> store.uploadPart(key, "../../canary/canary.txt", 1, 0, new byte[] {1}, 1))
                .isInstanceOf(IllegalArgumentException.class);
        store.abortUpload(key, handle);
        assertThat(root().resolve(".uploads")).isEmptyDirectory();
    }

    @Test
    void refusesToStartOutsideItsRootEvenWhenNormalizing() {
        assertThatThrownBy(() -> store.read("runs/x/../../../canary/canary.txt", 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Nothing the store writes is readable by other users (POSIX file systems). */
    @Nested
    class Permissions {
        private String mode(Path path) throws IOException {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        }

        @BeforeEach
        void posixOnly() {
            assumeTrue(base.getFileSystem().supportedFileAttributeViews().contains("posix"));
        }

        @Test
        void directoriesAre0700AndFiles0600FromTheFirstPartToTheStoredObject() throws IOException {
            assertThat(mode(root())).isEqualTo("rwx------");
            assertThat(mode(root().resolve(".uploads"))).isEqualTo("rwx------");

            String key = newKey(newRun(), "outputs/deep/model.pt");
            String handle = store.beginUpload(key);
            Path staged = root().resolve(".uploads").resolve(handle);
            assertThat(mode(staged)).as("upload in progress").isEqualTo("rw-------");
            String tag = store.uploadPart(key, handle, 1, 0, new byte[] {1, 2, 3}, 3);
            assertThat(mode(staged)).isEqualTo("rw-------");
            store.completeUpload(key, handle, List.of(tag), 3);

            Path file = root().resolve(key);
            assertThat(mode(file)).as("stored object").isEqualTo("rw-------");
            for (Path dir = file.getParent(); !dir.equals(root().getParent()); dir = dir.getParent()) {
                assertThat(mode(dir)).as(dir.toString()).isEqualTo("rwx------");
            }
        }

        @Test
        void aRootLeftOpenByAnEarlierVersionBecomesPrivate() throws IOException {
            Path old = base.resolve("old-store");
            Files.createDirectories(old.resolve(".uploads"));
            Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(old.resolve(".uploads"), PosixFilePermissions.fromString("rwxrwxr-x"));

            new LocalArtifactStore(old).close();

            assertThat(mode(old)).isEqualTo("rwx------");
            assertThat(mode(old.resolve(".uploads"))).isEqualTo("rwx------");
        }
    }

    /**
     * A symbolic link inside the root that points outside (planted by someone with access to the
     * directory): writes, reads, listings and deletes through it fail or do nothing, and the
     * directory it points to stays untouched.
     */
    @Nested
    class SymbolicLinks {
        private String run;
        private TreeMap<Path, String> canaryBefore;

        @BeforeEach
        void plantLinks() throws IOException {
            run = newRun();
            Path runDir = Files.createDirectories(root().resolve(run));
            Files.createSymbolicLink(runDir.resolve("evil"), canaryDir().toAbsolutePath());
            Path uploadDir = Files.createDirectories(runDir.resolve("upload"));
            Files.createSymbolicLink(uploadDir.resolve("leak.txt"), canaryDir().resolve(CANARY_FILE).toAbsolutePath());
            canaryBefore = snapshot(List.of(canaryDir()));
            assertThat(Files.readAllBytes(root().resolve(run).resolve("evil").resolve(CANARY_FILE)))
                    .isEqualTo(CANARY_CONTENT);
        }

        @AfterEach
        void canaryUntouched() throws IOException {
            assertThat(snapshot(List.of(canaryDir()))).as("canary directory").isEqualTo(canaryBefore);
            assertThat(Files.readAllBytes(canaryDir().resolve(CANARY_FILE))).isEqualTo(CANARY_CONTENT);
        }

        private void refusedWrite(String key) {
            String handle = store.beginUpload(key);
            try {
                String tag = store.uploadPart(key, handle, 1, 0, new byte[] {6, 6, 6}, 3);
                assertThatThrownBy(() -> store.completeUpload(key, handle, List.of(tag), 3))
                        .isInstanceOf(LinkOutsideStoreException.class);
            } finally {
                store.abortUpload(key, handle);
            }
        }

        @Test
        void writeIntoALinkedDirectoryFails() {
            refusedWrite(run + "evil/planted.txt");
        }

        @Test
        void writeOverAFileInALinkedDirectoryFails() {
            refusedWrite(run + "evil/" + CANARY_FILE);
        }

        @Test
        void writeIntoANewDirectoryBelowALinkedDirectoryFails() {
            refusedWrite(run + "evil/sub/dir/planted.txt");
        }

        @Test
        void writeOverAFileLinkReplacesTheLinkNotItsTarget() throws IOException {
            String key = run + "upload/leak.txt";
            try {
                put(key, new byte[] {7, 7});
                assertThat(Files.isSymbolicLink(root().resolve(key))).isFalse();
                assertThat(readAll(key)).containsExactly(7, 7);
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                // refusing is fine too
            }
        }

        @Test
        void readThroughALinkedDirectoryFails() {
            assertThatThrownBy(() -> readAll(run + "evil/" + CANARY_FILE))
                    .isInstanceOf(LinkOutsideStoreException.class);
            assertThatThrownBy(() -> read(run + "evil/" + CANARY_FILE, 3, 5))
                    .isInstanceOf(LinkOutsideStoreException.class);
        }

        @Test
        void readThroughAFileLinkFails() {
            assertThatThrownBy(() -> readAll(run + "upload/leak.txt"))
                    .isInstanceOf(LinkOutsideStoreException.class);
        }

        @Test
        void listDoesNotShowWhatIsBehindALink() {
            List<String> listed;
            try {
                listed = store.list(run + "evil/");
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                listed = List.of();
            }
            assertThat(listed).isEmpty();
            assertThat(store.list(run)).noneMatch(k -> k.startsWith(run + "evil/"));
        }

        @Test
        void deleteThroughALinkedDirectoryLeavesTheTarget() {
            try {
                store.delete(run + "evil/" + CANARY_FILE);
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                // refusing is fine
            }
        }

        @Test
        void deleteOfAFileLinkLeavesTheTarget() {
            try {
                store.delete(run + "upload/leak.txt");
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                // refusing is fine
            }
        }

        @Test
        void deletePrefixThroughALinkedDirectoryLeavesTheTarget() {
            try {
                store.deletePrefix(run + "evil/");
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                // refusing is fine
            }
        }

        @Test
        void deletePrefixOfTheRunRemovesTheLinksNotTheirTargets() {
            try {
                store.deletePrefix(run);
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                return;
            }
            assertThat(root().resolve(run).resolve("evil")).doesNotExist();
        }

        @Test
        void aLinkedStagingDirectoryIsNotWrittenThrough() throws IOException {
            Path otherRoot = Files.createDirectories(base.resolve("other-store"));
            Files.createSymbolicLink(otherRoot.resolve(".uploads"), canaryDir().toAbsolutePath());
            try (LocalArtifactStore other = new LocalArtifactStore(otherRoot)) {
                String key = newKey(newRun(), "x.bin");
                String handle = other.beginUpload(key);
                other.abortUpload(key, handle);
                fail("began an upload in a staging directory linked to " + canaryDir());
            } catch (LinkOutsideStoreException | UncheckedIOException refused) {
                // fine
            }
        }
    }

    @Test
    void pendingUploadsSurviveAReopen() {
        String key = newKey(newRun(), "resumable.bin");
        String handle = store.beginUpload(key);
        store.uploadPart(key, handle, 1, 0, new byte[] {1}, 1);
        try (LocalArtifactStore reopened = new LocalArtifactStore(root())) {
            assertThat(reopened.pendingUploads()).anyMatch(p -> p.handle().equals(handle));
            String tag = reopened.uploadPart(key, handle, 2, 1, new byte[] {2}, 1);
            reopened.completeUpload(key, handle, List.of("1", tag), 2);
            assertThat(readAll(key)).containsExactly(1, 2);
        }
    }

    @Test
    void handlesThatAreNotOursAreRefused() {
        String key = newKey(newRun(), "x");
        assertThatThrownBy(() -> store.completeUpload(key, "../" + UUID.randomUUID(), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.abortUpload(key, "../../canary/" + CANARY_FILE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
