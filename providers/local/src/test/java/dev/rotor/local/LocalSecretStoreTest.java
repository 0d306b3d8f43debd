package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.StoreIntegrityException;
import dev.rotor.VersionInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSecretStoreTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:15:30.123456789Z");

    @TempDir
    Path tmp;

    private Path dir;
    private MasterKey key;
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    private final List<LocalSecretStore> opened = new ArrayList<>();
    private LocalSecretStore store;

    @BeforeEach
    void setUp() {
        dir = tmp.resolve("store");
        key = MasterKey.generate();
        store = open();
    }

    @AfterEach
    void tearDown() {
        opened.forEach(LocalSecretStore::close);
    }

    private LocalSecretStore open() {
        return open(LocalStoreOptions.defaults());
    }

    private LocalSecretStore open(LocalStoreOptions options) {
        LocalSecretStore s = LocalSecretStore.open("main", dir, key, clock, options);
        opened.add(s);
        return s;
    }

    private Path fileOf(String path) {
        return FileNames.secretFile(dir.resolve("secrets"), path);
    }

    private static SecretValue text(String s) {
        return SecretValue.ofUtf8(s);
    }

    private String read(String path, Selector selector) {
        return store.get(path, selector).value().asUtf8();
    }

    // ---- round trips -----------------------------------------------------------------------

    @Test
    void putThenGetReturnsTheValueAsCurrent() {
        VersionInfo v = store.put("app/db", text("s3cret"), PutOptions.current());
        Secret s = store.get("app/db");
        assertThat(s.value().asUtf8()).isEqualTo("s3cret");
        assertThat(s.version()).isEqualTo(v);
        assertThat(v.id()).isEqualTo("1");
        assertThat(v.stages()).containsExactly(Stage.CURRENT);
        assertThat(v.created()).isEqualTo(T0);
    }

    @Test
    void anyBytesEmptyValuesAndOneMebibyteRoundTrip() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        byte[] max = new byte[1 << 20];
        new java.util.Random(1).nextBytes(max);
        store.put("bin", SecretValue.of(all), PutOptions.current());
        store.put("empty", SecretValue.of(new byte[0]), PutOptions.current());
        store.put("max", SecretValue.of(max), PutOptions.current());
        assertThat(store.get("bin").value().bytes()).isEqualTo(all);
        assertThat(store.get("empty").value().bytes()).isEmpty();
        assertThat(store.get("max").value().bytes()).isEqualTo(max);
        assertThat(store.capabilities().maxValueBytes()).isEqualTo(1 << 20);
    }

    @Test
    void aValueLargerThanTheMaximumIsRejectedAndNothingIsWritten() {
        assertThatThrownBy(() -> store.put("big", SecretValue.of(new byte[(1 << 20) + 1]), PutOptions.current()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'big'")
                .hasMessageContaining("at most 1048576");
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void tagsAndTextInAnyScriptRoundTrip() {
        String text = "pässwörd 密码 🔑";
        store.put("t", text(text), PutOptions.current().withTags(Map.of("owner", "team-ä", "ticket", "OPS-1")));
        Secret s = store.get("t");
        assertThat(s.value().asUtf8()).isEqualTo(text);
        assertThat(s.version().tags()).isEqualTo(Map.of("owner", "team-ä", "ticket", "OPS-1"));
    }

    @Test
    void everythingSurvivesReopeningTheStore() {
        store.put("a", text("one"), PutOptions.current());
        store.put("a", text("two"), PutOptions.pending().withTags(Map.of("k", "v")));
        List<VersionInfo> before = store.versions("a");
        store.close();
        LocalSecretStore again = open();
        assertThat(again.versions("a")).isEqualTo(before);
        assertThat(again.get("a", Selector.PENDING).value().asUtf8()).isEqualTo("two");
    }

    // ---- stage semantics (the same as InMemorySecretStore) ----------------------------------

    @Test
    void putCurrentMovesTheOldCurrentToPreviousAndLeavesPendingAlone() {
        store.put("s", text("v1"), PutOptions.current());
        store.put("s", text("p"), PutOptions.pending());
        store.put("s", text("v3"), PutOptions.current());
        assertThat(read("s", Selector.CURRENT)).isEqualTo("v3");
        assertThat(read("s", Selector.PREVIOUS)).isEqualTo("v1");
        assertThat(read("s", Selector.PENDING)).isEqualTo("p");
        assertThat(store.versions("s")).extracting(VersionInfo::id, VersionInfo::stages).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1", Set.of(Stage.PREVIOUS)),
                org.assertj.core.groups.Tuple.tuple("2", Set.of(Stage.PENDING)),
                org.assertj.core.groups.Tuple.tuple("3", Set.of(Stage.CURRENT)));
    }

    @Test
    void putPendingDoesNotChangeWhatCurrentReturns() {
        store.put("s", text("live"), PutOptions.current());
        VersionInfo p = store.put("s", text("next"), PutOptions.pending());
        assertThat(p.stages()).containsExactly(Stage.PENDING);
        assertThat(read("s", Selector.CURRENT)).isEqualTo("live");
        assertThat(store.get("s").version().id()).isEqualTo("1");
    }

    @Test
    void promoteMovesCurrentToPreviousAndClearsPending() {
        store.put("s", text("old"), PutOptions.current());
        VersionInfo p = store.put("s", text("new"), PutOptions.pending());
        VersionInfo promoted = store.promote("s", p.id(), "1");
        assertThat(promoted.stages()).containsExactly(Stage.CURRENT);
        assertThat(read("s", Selector.CURRENT)).isEqualTo("new");
        assertThat(read("s", Selector.PREVIOUS)).isEqualTo("old");
        assertThatThrownBy(() -> store.get("s", Selector.PENDING))
                .isInstanceOf(SecretNotFoundException.class)
                .hasMessage("secret 's' in store 'main' has no PENDING version");
    }

    @Test
    void promoteWithAStaleExpectedCurrentConflictsAndMovesNothing() {
        store.put("s", text("a"), PutOptions.current());
        VersionInfo p = store.put("s", text("b"), PutOptions.pending());
        store.put("s", text("c"), PutOptions.current());
        List<VersionInfo> before = store.versions("s");
        assertThatThrownBy(() -> store.promote("s", p.id(), "1"))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("CURRENT is at '3', expected '1'");
        assertThat(store.versions("s")).isEqualTo(before);
    }

    @Test
    void promoteOfAnUnknownVersionOrSecretIsNotFound() {
        store.put("s", text("a"), PutOptions.current());
        assertThatThrownBy(() -> store.promote("s", "9", null))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("has no version '9'");
        assertThatThrownBy(() -> store.promote("nope", "1", null))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("'nope'");
    }

    @Test
    void promotingTheCurrentVersionChangesNothing() {
        store.put("s", text("a"), PutOptions.current());
        store.put("s", text("b"), PutOptions.current());
        List<VersionInfo> before = store.versions("s");
        store.promote("s", "2", "2");
        assertThat(store.versions("s")).isEqualTo(before);
    }

    @Test
    void moveStageWithCompareAndSetAndRemovingPending() {
        store.put("s", text("a"), PutOptions.current());
        store.put("s", text("b"), PutOptions.pending());
        store.put("s", text("c"), PutOptions.pending());
        assertThatThrownBy(() -> store.moveStage("s", Stage.PENDING, "2", "2"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("it is at '3', expected '2'");
        store.moveStage("s", Stage.PENDING, "2", "3");
        assertThat(read("s", Selector.PENDING)).isEqualTo("b");
        store.moveStage("s", Stage.PREVIOUS, "3", null);
        assertThat(read("s", Selector.PREVIOUS)).isEqualTo("c");
        store.moveStage("s", Stage.PENDING, null, "2");
        assertThatThrownBy(() -> store.get("s", Selector.PENDING)).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> store.moveStage("s", Stage.PENDING, "7", null))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("has no version '7'");
        assertThatThrownBy(() -> store.moveStage("s", Stage.CURRENT, "1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("promote");
    }

    @Test
    void anIdempotencyKeyReturnsTheVersionTheFirstPutMade() {
        PutOptions opts = PutOptions.pending().withIdempotencyKey("run-42");
        VersionInfo first = store.put("s", text("x"), opts);
        VersionInfo second = store.put("s", text("y"), opts);
        assertThat(second).isEqualTo(first);
        assertThat(store.versions("s")).hasSize(1);
        assertThat(read("s", Selector.PENDING)).isEqualTo("x");
    }

    @Test
    void missingSecretsVersionsAndStagesAreNotFoundNamingThePath() {
        assertThatThrownBy(() -> store.get("no/such"))
                .isInstanceOf(SecretNotFoundException.class).hasMessage("secret 'no/such' not found in store 'main'");
        assertThatThrownBy(() -> store.versions("no/such")).isInstanceOf(SecretNotFoundException.class);
        store.put("s", text("a"), PutOptions.current());
        assertThatThrownBy(() -> store.get("s", Selector.version("5")))
                .isInstanceOf(SecretNotFoundException.class).hasMessage("secret 's' in store 'main' has no version '5'");
        assertThatThrownBy(() -> store.get("s", Selector.version("01")))
                .isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> store.get("s", Selector.PREVIOUS))
                .isInstanceOf(SecretNotFoundException.class).hasMessage("secret 's' in store 'main' has no PREVIOUS version");
    }

    // ---- list and delete -------------------------------------------------------------------

    @Test
    void listGivesPathsByPrefixSortedAndWithoutDeletedOnes() {
        for (String p : List.of("b/x", "a/Z_1", "a/y", "a/z", "ab", "c")) {
            store.put(p, text(p), PutOptions.current());
        }
        store.delete("a/y");
        assertThat(store.list("")).containsExactly("a/Z_1", "a/z", "ab", "b/x", "c");
        assertThat(store.list("a/")).containsExactly("a/Z_1", "a/z");
        assertThat(store.list("a")).containsExactly("a/Z_1", "a/z", "ab");
        assertThat(store.list("zzz")).isEmpty();
    }

    @Test
    void deleteThenGetIsNotFoundAndDeleteOfAMissingSecretIsNotFound() {
        store.put("s", text("a"), PutOptions.current());
        store.delete("s");
        assertThatThrownBy(() -> store.get("s")).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> store.versions("s")).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> store.delete("s"))
                .isInstanceOf(SecretNotFoundException.class).hasMessage("secret 's' not found in store 'main'");
    }

    @Test
    void aSecretPutAgainAfterDeleteNeverReusesAVersionId() {
        store.put("s", text("a"), PutOptions.current());
        store.put("s", text("b"), PutOptions.current().withIdempotencyKey("k"));
        store.delete("s");
        VersionInfo again = store.put("s", text("c"), PutOptions.current().withIdempotencyKey("k"));
        assertThat(again.id()).isEqualTo("3");
        assertThat(store.versions("s")).extracting(VersionInfo::id).containsExactly("3");
        assertThat(Files.exists(FileNames.tombstoneFile(dir.resolve("secrets"), "s"))).isFalse();
    }

    @Test
    void aDeleteThatDiedBeforeRemovingTheFileLeavesTheSecretIntact() throws Exception {
        store.put("s", text("a"), PutOptions.current());
        store.put("s", text("b"), PutOptions.current());
        byte[] before = Files.readAllBytes(fileOf("s"));
        store.delete("s");
        Files.write(fileOf("s"), before); // as if the process died between the two steps of delete
        assertThat(FileNames.tombstoneFile(dir.resolve("secrets"), "s")).exists();
        assertThat(store.list("")).containsExactly("s");
        assertThat(read("s", Selector.CURRENT)).isEqualTo("b");
        assertThat(store.put("s", text("c"), PutOptions.current()).id()).isEqualTo("3");
        assertThat(FileNames.tombstoneFile(dir.resolve("secrets"), "s")).doesNotExist();
        store.delete("s");
        assertThat(store.put("s", text("d"), PutOptions.current()).id()).isEqualTo("4");
    }

    // ---- keys ------------------------------------------------------------------------------

    @Test
    void aWrongMasterKeyIsAccessDeniedNotCorruption() {
        store.put("s", text("a"), PutOptions.current());
        assertThatThrownBy(() -> LocalSecretStore.open("main", dir, MasterKey.generate(), clock))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("master key does not match store at " + dir.toAbsolutePath().normalize());
    }

    @Test
    void valuesAreEncryptedOnDisk() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        store.put("s", text(canary), PutOptions.current());
        store.put("s", text(canary + "-2"), PutOptions.pending());
        List<byte[]> forms = List.of(canary.getBytes(StandardCharsets.UTF_8),
                Base64.getEncoder().encode(canary.getBytes(StandardCharsets.UTF_8)),
                HexFormat.of().formatHex(canary.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (byte[] form : forms) {
                    assertThat(content).as(f.toString()).doesNotContain(new String(form, StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    @Test
    void filesAndDirectoriesAreOwnerOnly() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        store.put("s", text("a"), PutOptions.current());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fileOf("s")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets")))).isEqualTo("rwx------");
    }

    // ---- integrity -------------------------------------------------------------------------

    /** Puts "good" and "bad", damages bad's file with {@code damage}, and checks the failure and the isolation. */
    private void assertDamageIsReportedAndIsolated(String expectedDetail, FileDamage damage) throws Exception {
        store.put("good", text("fine"), PutOptions.current());
        store.put("bad", text("bad-value-one"), PutOptions.current());
        store.put("bad", text("bad-value-two"), PutOptions.current());
        damage.apply(fileOf("bad"));
        assertThatThrownBy(() -> store.get("bad"))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining(fileOf("bad").toString())
                .hasMessageContaining("secret 'bad'")
                .hasMessageContaining(expectedDetail)
                .message().doesNotContain("bad-value-one").doesNotContain("bad-value-two");
        assertThatThrownBy(() -> store.versions("bad")).isInstanceOf(StoreIntegrityException.class);
        assertThatThrownBy(() -> store.put("bad", text("v3"), PutOptions.current())).isInstanceOf(StoreIntegrityException.class);
        // Every other secret stays readable and writable, and the damaged one is still listed.
        assertThat(store.get("good").value().asUtf8()).isEqualTo("fine");
        store.put("good", text("finer"), PutOptions.current());
        store.put("other", text("new"), PutOptions.current());
        assertThat(store.get("good").value().asUtf8()).isEqualTo("finer");
        assertThat(store.list("")).contains("bad", "good", "other");
        // The operator's way out: delete the damaged secret and put it again.
        store.delete("bad");
        store.put("bad", text("restored"), PutOptions.current());
        assertThat(store.get("bad").value().asUtf8()).isEqualTo("restored");
    }

    @FunctionalInterface
    private interface FileDamage {
        void apply(Path file) throws Exception;
    }

    @Test
    void aCorruptFileIsAnIntegrityErrorNamingTheFileAndOtherSecretsStayUsable() throws Exception {
        assertDamageIsReportedAndIsolated("authentication failed", file -> {
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 0x01;
            Files.write(file, b);
        });
    }

    @Test
    void aTruncatedFileIsAnIntegrityError() throws Exception {
        assertDamageIsReportedAndIsolated("authentication failed", file -> {
            byte[] b = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(b, b.length - 40));
        });
    }

    @Test
    void aFileTruncatedToAFewBytesIsAnIntegrityError() throws Exception {
        assertDamageIsReportedAndIsolated("truncated", file -> Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 20)));
    }

    @Test
    void anEmptyFileIsAnIntegrityError() throws Exception {
        assertDamageIsReportedAndIsolated("the file is empty", file -> Files.write(file, new byte[0]));
    }

    @Test
    void aForeignFileIsAnIntegrityError() throws Exception {
        assertDamageIsReportedAndIsolated("not a Rotor secret file", file -> Files.writeString(file, "hello"));
    }

    @Test
    void aFileSwappedWithAnotherSecretsFileIsDetected() throws Exception {
        store.put("x", text("x1"), PutOptions.current());
        assertDamageIsReportedAndIsolated("holds secret 'x', not 'bad'", file -> {
            byte[] bad = Files.readAllBytes(file);
            Files.copy(fileOf("x"), file, StandardCopyOption.REPLACE_EXISTING);
            Files.write(fileOf("x"), bad);
        });
        assertThatThrownBy(() -> store.get("x"))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining(fileOf("x").toString())
                .hasMessageContaining("holds secret 'bad', not 'x'");
    }

    @Test
    void currentMovedBackToAnOlderVersionByEditingTheFileIsDetected() throws Exception {
        assertDamageIsReportedAndIsolated("authentication failed", file -> {
            byte[] b = Files.readAllBytes(file);
            int pathLength = "bad".length();
            int current = SecretFile.PATH_LENGTH_OFFSET + 2 + pathLength + 8 + 8;
            assertThat(ByteBuffer.wrap(b, current, 8).getLong()).isEqualTo(2); // CURRENT is version 2
            ByteBuffer.wrap(b).putLong(current, 1); // move CURRENT back to version 1
            Files.write(file, b);
        });
    }

    @Test
    void aFileFromAnotherStoreWithTheSameKeyIsDetected() throws Exception {
        Path otherDir = tmp.resolve("other");
        LocalSecretStore other = LocalSecretStore.open("other", otherDir, key, clock);
        opened.add(other);
        other.put("bad", text("theirs"), PutOptions.current());
        assertDamageIsReportedAndIsolated("authentication failed",
                file -> Files.copy(FileNames.secretFile(otherDir.resolve("secrets"), "bad"), file, StandardCopyOption.REPLACE_EXISTING));
    }

    @Test
    void aCiphertextMovedToAnotherVersionDoesNotDecryptEvenUnderAValidMac() throws Exception {
        store.put("s", text("first"), PutOptions.current());
        store.put("s", text("second"), PutOptions.current());
        StoreHeader header = StoreHeader.decode(Files.readAllBytes(StoreHeader.file(dir)));
        StoreKeys keys = new StoreKeys(key, header.storeId());
        SecretFile f = SecretFile.decode(Files.readAllBytes(fileOf("s")), keys, "s", SecretFile.KIND_SECRET);
        SecretFile.StoredVersion v1 = f.versions.get(0);
        SecretFile.StoredVersion v2 = f.versions.get(1);
        // Someone holding the MAC key but not bound by the AEAD: put version 1's sealed value under version 2.
        f.versions.set(1, new SecretFile.StoredVersion(v2.number(), v2.created(), v2.tags(), null, v1.nonce(), v1.ciphertext()));
        Files.write(fileOf("s"), f.encode(keys));
        assertThat(read("s", Selector.version("1"))).isEqualTo("first");
        assertThatThrownBy(() -> store.get("s"))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining(fileOf("s").toString())
                .hasMessageContaining("version 2 does not decrypt");
    }

    @Test
    void aDirectoryWithFilesButNoHeaderIsRefused() throws Exception {
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> LocalSecretStore.open("main", foreign, key, clock))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining(foreign.toString())
                .hasMessageContaining("no store header");
    }

    @Test
    void aCorruptHeaderIsAnIntegrityErrorNamingIt() throws Exception {
        Files.writeString(StoreHeader.file(dir), "{\"format\":\"rotor-local-store\",\"formatVersion\":1,\"storeId\":\"zz\"}");
        assertThatThrownBy(() -> LocalSecretStore.open("main", dir, key, clock))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining(StoreHeader.file(dir).toString())
                .hasMessageContaining("malformed");
    }

    @Test
    void temporaryFilesLeftByACrashAreIgnoredAndRemovedOnOpen() throws Exception {
        store.put("s", text("a"), PutOptions.current());
        Path leftover = fileOf("s").resolveSibling(fileOf("s").getFileName() + AtomicFiles.TEMP_MARK + "0011223344556677");
        Files.writeString(leftover, "half a write");
        assertThat(store.list("")).containsExactly("s");
        open();
        assertThat(leftover).doesNotExist();
        assertThat(read("s", Selector.CURRENT)).isEqualTo("a");
    }

    // ---- version pruning -------------------------------------------------------------------

    @Test
    void versionsWithoutAStageBeyondMaxVersionsAreRemovedOldestFirstAndStagedOnesStay() {
        LocalSecretStore small = open(new LocalStoreOptions(2));
        VersionInfo first = small.put("p", text("v1"), PutOptions.current());
        List<String> pendings = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pendings.add(small.put("p", text("pending " + i), PutOptions.pending()).id());
        }
        // CURRENT (v1) and PENDING (the last put) plus the two newest versions without a stage.
        assertThat(small.versions("p")).extracting(VersionInfo::id)
                .containsExactly(first.id(), pendings.get(2), pendings.get(3), pendings.get(4));
        assertThat(small.get("p").value().asUtf8()).isEqualTo("v1");
        assertThat(small.get("p", Selector.PENDING).value().asUtf8()).isEqualTo("pending 4");
        assertThatThrownBy(() -> small.get("p", Selector.version(pendings.get(0))))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining(pendings.get(0));

        small.promote("p", pendings.get(4), first.id());
        // v1 is PREVIOUS now, so it stays; the newest two without a stage are kept.
        assertThat(small.versions("p")).extracting(VersionInfo::id)
                .containsExactly(first.id(), pendings.get(2), pendings.get(3), pendings.get(4));
        small.moveStage("p", Stage.PREVIOUS, null, first.id());
        assertThat(small.versions("p")).extracting(VersionInfo::id)
                .containsExactly(pendings.get(2), pendings.get(3), pendings.get(4));
    }

    @Test
    void aPrunedVersionIdIsNeverHandedOutAgain() {
        LocalSecretStore small = open(new LocalStoreOptions(1));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            assertThat(ids.add(small.put("p", text("v" + i), i % 2 == 0 ? PutOptions.current() : PutOptions.pending()).id())).isTrue();
        }
        small.delete("p");
        assertThat(ids.add(small.put("p", text("again"), PutOptions.current()).id())).isTrue();
        assertThat(open(new LocalStoreOptions(1)).versions("p")).hasSize(1);
    }

    @Test
    void readingNeverPrunesAndTheDefaultKeepsTwentyVersionsWithoutAStage() {
        LocalSecretStore keepAll = open(new LocalStoreOptions(LocalStoreOptions.MAX_MAX_VERSIONS));
        keepAll.put("p", text("v"), PutOptions.current());
        for (int i = 0; i < 30; i++) {
            keepAll.put("p", text("p" + i), PutOptions.pending());
        }
        assertThat(store.versions("p")).as("read through a store opened with the default").hasSize(31);
        assertThat(store.get("p", Selector.version("2")).value().asUtf8()).isEqualTo("p0");
        store.moveStage("p", Stage.PENDING, null, null);
        assertThat(store.versions("p")).hasSize(1 + LocalStoreOptions.DEFAULT_MAX_VERSIONS);
        assertThat(store.options().maxVersions()).isEqualTo(LocalStoreOptions.DEFAULT_MAX_VERSIONS);
    }

    @Test
    void maxVersionsOutOfRangeIsAConfigurationErrorNamingIt() {
        for (int bad : new int[] {0, -1, LocalStoreOptions.MAX_MAX_VERSIONS + 1}) {
            assertThatThrownBy(() -> new LocalStoreOptions(bad))
                    .isInstanceOf(dev.rotor.InvalidConfigurationException.class)
                    .hasMessageContaining("maxVersions").hasMessageContaining(Integer.toString(bad));
        }
    }

    @Test
    void aPreparedFileThatVanishedBeforeItsRenameIsReportedAndTheTargetIsUnchanged() throws Exception {
        Path target = tmp.resolve("target.bin");
        Files.write(target, new byte[] {1});
        Path temp = AtomicFiles.prepare(target, new byte[] {2});
        assertThat(AtomicFiles.isTemp(temp.getFileName().toString())).isTrue();
        Files.delete(temp); // as a store opened meanwhile removes a leftover
        assertThat(AtomicFiles.commit(temp, target)).isFalse();
        assertThat(Files.readAllBytes(target)).containsExactly(1);

        Path again = AtomicFiles.prepare(target, new byte[] {3});
        assertThat(AtomicFiles.commit(again, target)).isTrue();
        assertThat(Files.readAllBytes(target)).containsExactly(3);
        assertThat(again).doesNotExist();
    }

    // ---- concurrency -----------------------------------------------------------------------

    @Test
    void concurrentWritersInOneJvmLoseNothing() throws Exception {
        // Every version kept, so that each acknowledged put can be found; two store objects on one directory.
        LocalStoreOptions keepAll = new LocalStoreOptions(LocalStoreOptions.MAX_MAX_VERSIONS);
        LocalSecretStore first = open(keepAll);
        LocalSecretStore second = open(keepAll);
        int threads = 8;
        int perThread = 12;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                LocalSecretStore s = t % 2 == 0 ? first : second;
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    Map<String, String> written = new java.util.HashMap<>();
                    for (int i = 0; i < perThread; i++) {
                        String value = "t" + thread + "-" + i;
                        PutOptions opts = i % 3 == 0 ? PutOptions.pending() : PutOptions.current();
                        written.put(s.put("shared", text(value), opts).id(), value);
                    }
                    return written;
                }));
            }
            Map<String, String> all = new java.util.HashMap<>();
            for (Future<Map<String, String>> f : results) {
                Map<String, String> written = f.get();
                for (var e : written.entrySet()) {
                    assertThat(all.put(e.getKey(), e.getValue())).as("version %s handed out twice", e.getKey()).isNull();
                }
            }
            assertThat(all).hasSize(threads * perThread);
            assertThat(first.versions("shared")).hasSize(threads * perThread);
            for (var e : all.entrySet()) {
                assertThat(first.get("shared", Selector.version(e.getKey())).value().asUtf8()).isEqualTo(e.getValue());
            }
            Set<String> ids = new HashSet<>();
            first.versions("shared").forEach(v -> ids.add(v.id()));
            assertThat(ids).isEqualTo(all.keySet());
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- health, close, secrecy ------------------------------------------------------------

    @Test
    void healthIsUpForAUsableDirectoryAndDownWhenItIsGone() throws Exception {
        Health up = store.health();
        assertThat(up.up()).isTrue();
        assertThat(up.latency()).isGreaterThanOrEqualTo(Duration.ZERO);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(AtomicFiles::isTemp);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Health down = store.health();
        assertThat(down.up()).isFalse();
        assertThat(down.detail()).contains(dir.toString()).contains("does not exist");
    }

    @Test
    void healthIsDownWhenTheHeaderNoLongerMatchesTheKey() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere");
        LocalSecretStore other = LocalSecretStore.open("other", elsewhere, MasterKey.generate(), clock);
        opened.add(other);
        Files.copy(StoreHeader.file(elsewhere), StoreHeader.file(dir), StandardCopyOption.REPLACE_EXISTING);
        Health h = store.health();
        assertThat(h.up()).isFalse();
        assertThat(h.detail()).contains("no longer matches");
    }

    @Test
    void aClosedStoreRefusesWork() {
        store.close();
        assertThatThrownBy(() -> store.get("s")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.put("s", text("a"), PutOptions.current())).isInstanceOf(IllegalStateException.class);
        assertThat(store.health().up()).isFalse();
    }

    @Test
    void noValueAppearsInToStringOrErrorMessages() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        VersionInfo v = store.put("s", text(canary), PutOptions.current());
        Secret s = store.get("s");
        List<String> shown = new ArrayList<>(List.of(store.toString(), s.toString(), v.toString(), s.value().toString()));
        assertThat(store.toString()).isEqualTo("LocalSecretStore[main, " + dir.toRealPath() + "]");
        shown.add(catchMessage(() -> store.put("s", SecretValue.of(new byte[(1 << 20) + 1]), PutOptions.current())));
        shown.add(catchMessage(() -> store.promote("s", "1", "7")));
        shown.add(catchMessage(() -> store.get("s", Selector.version("9"))));
        byte[] b = Files.readAllBytes(fileOf("s"));
        b[b.length - 1] ^= 1;
        Files.write(fileOf("s"), b);
        shown.add(catchMessage(() -> store.get("s")));
        shown.add(store.health().detail());
        assertThat(shown).allSatisfy(text -> assertThat(text).doesNotContain(canary));
        assertThat(shown).hasSize(9);
    }

    private static String catchMessage(Runnable r) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(r::run);
        assertThat(t).isNotNull();
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
