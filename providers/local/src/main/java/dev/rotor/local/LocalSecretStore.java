package dev.rotor.local;

import dev.rotor.AccessDeniedException;
import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.StoreIntegrityException;
import dev.rotor.VersionInfo;
import dev.rotor.local.SecretFile.CorruptFileException;
import dev.rotor.local.SecretFile.StoredVersion;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local encrypted file store: one directory, one authenticated file per secret holding every
 * version (each value sealed with AES-256-GCM) and the stage pointers. The format, the key
 * hierarchy and the crash behaviour are described in {@code docs/local-store.md}.
 *
 * <p>Thread-safe, and safe to use from several processes on the same directory: every change is
 * a read-modify-write of one secret file, written to a temporary file and renamed over the old
 * one under the store's write lock (an in-JVM lock around a file lock) if the old one is still
 * the file the change was computed from. Reads take no lock: the rename hands them a whole
 * file, old or new. Each secret keeps the versions its stages point at and the newest
 * {@link LocalStoreOptions#maxVersions()} others. Do not call {@link #close()} while operations are
 * in flight: it wipes the keys.
 */
public final class LocalSecretStore implements SecretStore {

    /** Values up to 1 MiB, any bytes, stages and tags kept by the store itself. */
    public static final Capabilities CAPABILITIES = new Capabilities(1 << 20, true, true, true);

    static final String SECRETS_DIR = "secrets";

    /** Attempts at a write; the last one runs wholly under the lock, so it cannot lose a race. */
    private static final int OPTIMISTIC_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(LocalSecretStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Path directory;
    private final Path secretsDir;
    private final Clock clock;
    private final StoreKeys keys;
    private final StoreLock lock;
    private final LocalStoreOptions options;
    private volatile boolean closed;

    private LocalSecretStore(String name, Path directory, Clock clock, StoreKeys keys, LocalStoreOptions options) {
        this.name = name;
        this.options = options;
        this.directory = directory;
        this.secretsDir = directory.resolve(SECRETS_DIR);
        this.clock = clock;
        this.keys = keys;
        this.lock = new StoreLock(directory);
    }

    /**
     * Opens the store in {@code directory}, creating it (and the directory, mode 0700) if the
     * directory is missing or empty. The store derives its own keys: the caller may
     * {@linkplain MasterKey#destroy() destroy} {@code masterKey} once this returns.
     *
     * @param name the store's configured name (the {@code store} part of refs)
     * @throws AccessDeniedException if the store was created with another master key
     * @throws StoreIntegrityException if the directory holds files but no valid store header
     * @throws ProviderUnavailableException if the directory cannot be created or read
     */
    public static LocalSecretStore open(String name, Path directory, MasterKey masterKey, Clock clock) {
        return open(name, directory, masterKey, clock, LocalStoreOptions.defaults());
    }

    /**
     * Opens the store as {@link #open(String, Path, MasterKey, Clock)} does, with {@code options}.
     */
    public static LocalSecretStore open(String name, Path directory, MasterKey masterKey, Clock clock, LocalStoreOptions options) {
        SecretRef.checkStoreName(name);
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        Path dir = directory.toAbsolutePath().normalize();
        Path headerFile = StoreHeader.file(dir);
        StoreHeader header;
        Path real;
        try {
            if (Files.exists(headerFile)) {
                real = dir.toRealPath();
                header = readHeader(headerFile);
            } else {
                AtomicFiles.createDirectories(dir);
                real = dir.toRealPath();
                header = new StoreLock(real).locked(() -> Files.exists(headerFile)
                        ? readHeader(headerFile)
                        : create(real, dir, masterKey, clock));
            }
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot open local store at " + dir + ": " + describe(e), false, e);
        }
        StoreKeys keys = new StoreKeys(masterKey, header.storeId());
        if (!keys.matchesKeyCheck(header.keyCheck())) {
            keys.destroy();
            throw new AccessDeniedException("master key does not match store at " + dir);
        }
        LocalSecretStore store = new LocalSecretStore(name, real, clock, keys, options);
        store.removeLeftoverTemporaryFiles();
        LOG.debug("opened local store '{}' ({}) at {}", name, header.storeIdHex(), dir);
        return store;
    }

    private static StoreHeader create(Path real, Path shownDir, MasterKey masterKey, Clock clock) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(real)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                boolean leftOfAnEarlierAttempt = n.equals(StoreLock.FILE_NAME) || AtomicFiles.isTemp(n)
                        || (n.equals(SECRETS_DIR) && isEmptyDirectory(entry));
                if (!leftOfAnEarlierAttempt) {
                    throw new StoreIntegrityException("directory " + shownDir + " is not empty but has no store header "
                            + StoreHeader.FILE_NAME + ": it is not a Rotor local store, or its header was lost"
                            + " (restore the header from a backup, or point the store at an empty directory)");
                }
            }
        }
        byte[] id = new byte[SecretFile.STORE_ID_LENGTH];
        RANDOM.nextBytes(id);
        StoreKeys keys = new StoreKeys(masterKey, id);
        try {
            StoreHeader header = new StoreHeader(id, clock.instant(), keys.keyCheck());
            // The header first: once it exists the directory is a store, whatever else a crash left.
            AtomicFiles.write(StoreHeader.file(real), header.encode());
            AtomicFiles.createDirectories(real.resolve(SECRETS_DIR));
            LOG.info("created local store {} at {}", header.storeIdHex(), shownDir);
            return header;
        } finally {
            keys.destroy();
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static StoreHeader readHeader(Path headerFile) throws IOException {
        try {
            return StoreHeader.decode(Files.readAllBytes(headerFile));
        } catch (CorruptFileException e) {
            throw new StoreIntegrityException("store header " + headerFile + " is unusable: " + e.getMessage()
                    + " (restore it from a backup)", e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The options the store was opened with. */
    public LocalStoreOptions options() {
        return options;
    }

    /** The store directory. */
    public Path directory() {
        return directory;
    }

    // ---- reads -----------------------------------------------------------------------------

    @Override
    public Secret get(String path, Selector selector) {
        Objects.requireNonNull(selector, "selector");
        SecretFile f = existing(path);
        String id = switch (selector) {
            case Selector.ByStage s -> f.stage(s.stage());
            case Selector.ByVersion v -> v.versionId();
        };
        StoredVersion v = id == null ? null : f.find(id);
        if (v == null) {
            throw SecretNotFoundException.of(name, path, selector);
        }
        byte[] plain;
        try {
            plain = keys.decrypt(v.nonce(), v.ciphertext(), path, v.number());
        } catch (AEADBadTagException e) {
            throw integrity(secretFile(path), path,
                    "version " + v.id() + " does not decrypt (its ciphertext was changed, moved or swapped)", e);
        }
        return new Secret(path, f.info(v), SecretValue.wrap(plain));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        SecretFile f = existing(path);
        return f.versions.stream().map(f::info).toList();
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        ensureOpen();
        try {
            List<String> paths = new ArrayList<>(FileNames.list(secretsDir, prefix));
            Collections.sort(paths);
            return paths;
        } catch (IOException e) {
            throw unavailable("cannot list secrets in " + secretsDir, e);
        }
    }

    private SecretFile existing(String path) {
        SecretRef.checkPath(path);
        ensureOpen();
        SecretFile f = read(path, secretFile(path), SecretFile.KIND_SECRET);
        if (f == null) {
            throw SecretNotFoundException.of(name, path);
        }
        return f;
    }

    /** The decoded file, or {@code null} if it does not exist. */
    private @Nullable SecretFile read(String path, Path file, byte kind) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw unavailable("cannot read " + file, e);
        }
        return decode(path, file, data, kind);
    }

    private SecretFile decode(String path, Path file, byte[] data, byte kind) {
        try {
            return SecretFile.decode(data, keys, path, kind);
        } catch (CorruptFileException e) {
            throw integrity(file, path, e.getMessage(), e);
        }
    }

    // ---- writes ----------------------------------------------------------------------------

    /** What a change computed: its result, and the new file content or {@code null} to write nothing. */
    private record Outcome<T>(T result, @Nullable SecretFile write) {}

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        SecretRef.checkPath(path);
        Objects.requireNonNull(options, "options");
        if (value.length() > CAPABILITIES.maxValueBytes()) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + value.length()
                    + " bytes; store '" + name + "' holds at most " + CAPABILITIES.maxValueBytes());
        }
        ensureOpen();
        Path tombstone = FileNames.tombstoneFile(secretsDir, path);
        boolean[] repeated = {false};
        VersionInfo info = change(path, (existing, gone) -> {
            repeated[0] = false;
            SecretFile f = existing;
            if (f == null) {
                f = SecretFile.fresh(path, gone == null ? 1 : gone.nextVersion);
                if (gone != null) {
                    f.generation = gone.generation;
                }
            } else if (options.idempotencyKey() != null) {
                for (StoredVersion v : f.versions) {
                    if (options.idempotencyKey().equals(v.idempotencyKey())) {
                        repeated[0] = true;
                        return new Outcome<>(f.info(v), null);
                    }
                }
            }
            long number = f.nextVersion++;
            byte[] plain = value.bytes();
            byte[] nonce = StoreKeys.newNonce();
            byte[] ciphertext;
            try {
                ciphertext = keys.encrypt(nonce, plain, path, number);
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
            StoredVersion v = new StoredVersion(number, clock.instant(), options.tags(), options.idempotencyKey(), nonce, ciphertext);
            f.versions.add(v);
            if (options.stage() == Stage.CURRENT) {
                String old = f.stage(Stage.CURRENT);
                f.setStage(Stage.CURRENT, v.id());
                if (old != null) {
                    f.setStage(Stage.PREVIOUS, old);
                }
            } else {
                f.setStage(Stage.PENDING, v.id());
            }
            return new Outcome<>(f.info(v), f);
        }, () -> removeTombstone(path, tombstone));
        if (repeated[0]) {
            LOG.debug("put to secret '{}' in store '{}' repeated idempotency key {}: returned version {}, wrote nothing",
                    path, name, options.idempotencyKey(), info.id());
        } else {
            LOG.debug("put secret '{}' version {} as {} in store '{}'", path, info.id(), options.stage(), name);
        }
        return info;
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        SecretRef.checkPath(path);
        SecretRef.checkVersionId(versionId);
        ensureOpen();
        VersionInfo info = change(path, (f, gone) -> {
            requireExists(f, path);
            StoredVersion target = f.find(versionId);
            if (target == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String current = f.stage(Stage.CURRENT);
            if (expectedCurrentVersionId != null && !expectedCurrentVersionId.equals(current)) {
                throw new ConflictException("cannot promote version '" + versionId + "' of secret '" + path
                        + "': CURRENT is at '" + current + "', expected '" + expectedCurrentVersionId + "'");
            }
            boolean changed = false;
            if (!versionId.equals(current)) {
                f.setStage(Stage.CURRENT, versionId);
                if (current != null) {
                    f.setStage(Stage.PREVIOUS, current);
                }
                changed = true;
            }
            if (versionId.equals(f.stage(Stage.PENDING))) {
                f.setStage(Stage.PENDING, null);
                changed = true;
            }
            return new Outcome<>(f.info(target), changed ? f : null);
        }, null);
        LOG.debug("promoted secret '{}' version {} to CURRENT in store '{}'", path, versionId, name);
        return info;
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        Objects.requireNonNull(stage, "stage");
        if (stage == Stage.CURRENT) {
            throw new IllegalArgumentException("CURRENT moves only through promote()");
        }
        SecretRef.checkPath(path);
        ensureOpen();
        change(path, (f, gone) -> {
            requireExists(f, path);
            if (versionId != null && f.find(versionId) == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String now = f.stage(stage);
            if (expectedVersionId != null && !expectedVersionId.equals(now)) {
                throw new ConflictException("cannot move " + stage + " of secret '" + path + "': it is at '" + now
                        + "', expected '" + expectedVersionId + "'");
            }
            if (Objects.equals(now, versionId)) {
                return new Outcome<>(Boolean.TRUE, null);
            }
            f.setStage(stage, versionId);
            return new Outcome<>(Boolean.TRUE, f);
        }, null);
        LOG.debug("moved {} of secret '{}' to version {} in store '{}'", stage, path, versionId, name);
    }

    /**
     * Deletes the secret. Its file is replaced by a small tombstone that remembers the next
     * version number, so a secret put again at the same path never reuses a version id. A
     * secret whose file is corrupt can be deleted too (that is how an operator gets rid of it).
     */
    @Override
    public void delete(String path) {
        SecretRef.checkPath(path);
        ensureOpen();
        Path file = secretFile(path);
        Path tombstone = FileNames.tombstoneFile(secretsDir, path);
        try {
            lock.locked(() -> {
                SecretFile f;
                try {
                    f = read(path, file, SecretFile.KIND_SECRET);
                } catch (StoreIntegrityException e) {
                    LOG.warn("deleting secret '{}' in store '{}' whose file {} is corrupt", path, name, file);
                    AtomicFiles.delete(file);
                    return null;
                }
                if (f == null) {
                    throw SecretNotFoundException.of(name, path);
                }
                SecretFile gone = new SecretFile(path, SecretFile.KIND_TOMBSTONE, f.generation + 1, f.nextVersion);
                AtomicFiles.write(tombstone, gone.encode(keys));
                AtomicFiles.delete(file);
                return null;
            });
        } catch (IOException e) {
            throw unavailable("cannot delete secret '" + path + "' in " + file, e);
        }
        LOG.debug("deleted secret '{}' in store '{}'", path, name);
    }

    @FunctionalInterface
    private interface AfterWrite {
        void run() throws IOException;
    }

    /** A change computed from a secret's file and, when there is no file, its tombstone. */
    @FunctionalInterface
    private interface Change<T> {
        Outcome<T> apply(@Nullable SecretFile current, @Nullable SecretFile tombstone);
    }

    /** The bytes a change was computed from: the secret file, and its tombstone if the file is absent. */
    private record Snapshot(byte @Nullable [] file, byte @Nullable [] tombstone) {
        boolean sameAs(Snapshot other) {
            return Arrays.equals(file, other.file) && Arrays.equals(tombstone, other.tombstone);
        }
    }

    /**
     * One read-modify-write of a secret file. The file is read, the change computed, and the new
     * file written and forced to disk outside the store lock; under the lock the file is read
     * again and, if it is byte for byte the one the change was computed from, the new file is
     * renamed over it. Otherwise another write came first and the change is computed again; the
     * last of {@value #OPTIMISTIC_ATTEMPTS} attempts runs the whole change under the lock. The
     * directory is forced to disk after the lock is released, before the change returns. So the
     * lock is held for two small reads and a rename, and concurrent writers' forces overlap.
     *
     * <p>A change that writes nothing (a conflict, a repeated idempotency key, a stage already in
     * place) takes its answer from the file as read, which is the store's state at that moment.
     */
    private <T> T change(String path, Change<T> op, @Nullable AfterWrite after) {
        Path file = secretFile(path);
        Path tombstone = FileNames.tombstoneFile(secretsDir, path);
        try {
            for (int attempt = 1; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
                Snapshot seen = snapshot(file, tombstone);
                Outcome<T> outcome = compute(op, path, file, tombstone, seen);
                if (outcome.write() == null) {
                    return outcome.result();
                }
                Path temp = prepare(file, outcome.write());
                if (lock.locked(() -> commitIfUnchanged(seen, temp, file, tombstone, after))) {
                    AtomicFiles.syncDirectory(file.getParent());
                    return outcome.result();
                }
                LOG.debug("secret '{}' in store '{}' was written while a change to it was prepared; computing it again", path, name);
            }
            // Still contended: compute and write under the lock, where no other write can come first.
            Outcome<T> outcome = lock.locked(() -> {
                Snapshot seen = snapshot(file, tombstone);
                Outcome<T> o = compute(op, path, file, tombstone, seen);
                if (o.write() != null) {
                    Path temp = prepare(file, o.write());
                    if (!commitIfUnchanged(seen, temp, file, tombstone, after)) {
                        throw new IOException("temporary file " + temp + " was removed before it could be renamed");
                    }
                }
                return o;
            });
            if (outcome.write() != null) {
                AtomicFiles.syncDirectory(file.getParent());
            }
            return outcome.result();
        } catch (IOException e) {
            throw unavailable("cannot write secret '" + path + "' to " + file, e);
        }
    }

    private Snapshot snapshot(Path file, Path tombstone) throws IOException {
        byte[] data = readIfExists(file);
        return new Snapshot(data, data == null ? readIfExists(tombstone) : null);
    }

    private static byte @Nullable [] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Runs {@code op} on the snapshot; a change that writes gets the next generation and is pruned. */
    private <T> Outcome<T> compute(Change<T> op, String path, Path file, Path tombstone, Snapshot seen) {
        SecretFile current = seen.file() == null ? null : decode(path, file, seen.file(), SecretFile.KIND_SECRET);
        SecretFile gone = seen.tombstone() == null ? null : decodeTombstone(path, tombstone, seen.tombstone());
        Outcome<T> outcome = op.apply(current, gone);
        SecretFile next = outcome.write();
        if (next != null) {
            next.generation++;
            int removed = next.prune(options.maxVersions());
            if (removed > 0) {
                LOG.debug("secret '{}' in store '{}': removed {} old versions beyond maxVersions {}", path, name, removed,
                        options.maxVersions());
            }
        }
        return outcome;
    }

    private Path prepare(Path file, SecretFile next) throws IOException {
        AtomicFiles.createDirectories(file.getParent());
        return AtomicFiles.prepare(file, next.encode(keys));
    }

    /** Under the lock: renames {@code temp} over the file if nothing was written since {@code seen}. */
    private boolean commitIfUnchanged(Snapshot seen, Path temp, Path file, Path tombstone, @Nullable AfterWrite after)
            throws IOException {
        boolean committed = false;
        try {
            committed = snapshot(file, tombstone).sameAs(seen) && AtomicFiles.commit(temp, file);
        } finally {
            if (!committed) {
                AtomicFiles.discard(temp);
            }
        }
        if (committed && after != null) {
            after.run();
        }
        return committed;
    }

    /**
     * After a put: the tombstone of an earlier life of the secret (or one that a delete which
     * died half-way left next to the file) is no longer needed. Best effort: the put is done.
     */
    private void removeTombstone(String path, Path tombstone) {
        try {
            AtomicFiles.delete(tombstone);
        } catch (IOException e) {
            LOG.warn("cannot remove tombstone {} of secret '{}' in store '{}': {}", tombstone, path, name, describe(e));
        }
    }

    private @Nullable SecretFile decodeTombstone(String path, Path tombstone, byte[] data) {
        try {
            return decode(path, tombstone, data, SecretFile.KIND_TOMBSTONE);
        } catch (StoreIntegrityException e) {
            // A lost tombstone only means version numbers restart; do not block the write.
            LOG.warn("ignoring unusable tombstone {} of secret '{}' in store '{}': {}", tombstone, path, name, e.getMessage());
            return null;
        }
    }

    private void requireExists(@Nullable SecretFile f, String path) {
        if (f == null) {
            throw SecretNotFoundException.of(name, path);
        }
    }

    // ---- health and housekeeping -----------------------------------------------------------

    /** Checks that the directory can be read and written and that its header still matches the key. */
    @Override
    public Health health() {
        long start = System.nanoTime();
        try {
            if (closed) {
                return Health.down("store is closed", elapsed(start));
            }
            if (!Files.isDirectory(directory)) {
                return Health.down("store directory " + directory + " does not exist", elapsed(start));
            }
            StoreHeader header = StoreHeader.decode(Files.readAllBytes(StoreHeader.file(directory)));
            if (!Arrays.equals(header.storeId(), keys.storeId()) || !keys.matchesKeyCheck(header.keyCheck())) {
                return Health.down("store header in " + directory + " no longer matches the master key this store was opened with",
                        elapsed(start));
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(Files.isDirectory(secretsDir) ? secretsDir : directory)) {
                entries.iterator().hasNext();
            }
            byte[] suffix = new byte[8];
            RANDOM.nextBytes(suffix);
            Path probe = directory.resolve("health" + AtomicFiles.TEMP_MARK + HexFormat.of().formatHex(suffix));
            Files.write(probe, new byte[0], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
            return Health.up(elapsed(start));
        } catch (CorruptFileException e) {
            return Health.down("store header in " + directory + " is unusable: " + e.getMessage(), elapsed(start));
        } catch (IOException e) {
            return Health.down("store directory " + directory + " is not readable and writable: " + describe(e), elapsed(start));
        } catch (RuntimeException e) {
            return Health.down("health check failed: " + e.getClass().getSimpleName(), elapsed(start));
        }
    }

    /**
     * Temporary files are left by a crash in the middle of a write; remove them. A writer of
     * another process may be preparing one right now: its rename then finds the file gone and
     * it writes again (see {@link #change}).
     */
    private void removeLeftoverTemporaryFiles() {
        try {
            lock.locked(() -> {
                removeTemporaryFiles(directory, false);
                return null;
            });
        } catch (IOException e) {
            // A read-only directory is fine for a reader; it simply cannot be tidied.
            LOG.debug("could not remove leftover temporary files in {}", directory, e);
        }
    }

    private void removeTemporaryFiles(Path dir, boolean recurse) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                if (AtomicFiles.isTemp(n) && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.info("removing {} left by an interrupted write", entry);
                    Files.deleteIfExists(entry);
                } else if ((n.equals(SECRETS_DIR) && !recurse) || (recurse && n.endsWith(FileNames.DIR_SUFFIX))) {
                    removeTemporaryFiles(entry, true);
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            keys.destroy();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("local store '" + name + "' is closed");
        }
    }

    private Path secretFile(String path) {
        return FileNames.secretFile(secretsDir, path);
    }

    private StoreIntegrityException integrity(Path file, String path, String detail, Throwable cause) {
        return new StoreIntegrityException("secret file " + file + " (secret '" + path + "' in store '" + name + "') is unusable: "
                + detail + ". Restore the file from a backup, or delete the secret and put it again", cause);
    }

    private ProviderUnavailableException unavailable(String what, IOException e) {
        return new ProviderUnavailableException(what + " (store '" + name + "'): " + describe(e), false, e);
    }

    private static String describe(IOException e) {
        // IOException messages name files, never contents.
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public String toString() {
        return "LocalSecretStore[" + name + ", " + directory + "]";
    }
}
