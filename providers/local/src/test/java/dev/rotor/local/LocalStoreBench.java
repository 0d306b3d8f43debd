package dev.rotor.local;

import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Measures what the local store costs a rotation, without a target: rotations through
 * {@link RotationEngine} with a rotator that does nothing, so every millisecond is the store's;
 * then one write taken apart (read and authenticate, encode and HMAC, write and fsync the
 * temporary file, rename, fsync the directory, the lock) at growing file sizes.
 *
 * <p>Run with {@code providers/local/bench.sh [--runs 200] [--warmup 20] [--maxVersions N]}.
 */
public final class LocalStoreBench {

    private LocalStoreBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 200;
        int warmup = 20;
        int maxVersions = LocalStoreOptions.DEFAULT_MAX_VERSIONS;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--maxVersions" -> maxVersions = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("rotor-local-bench");
        System.out.printf(Locale.ROOT, "%d cores; Java %s; store in %s; maxVersions %d%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), dir, maxVersions);
        try {
            engineRuns(dir.resolve("engine"), warmup, runs, maxVersions);
            writeParts(dir.resolve("parts"), maxVersions);
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    // ------------------------------------------------------------------ rotations, no target

    private static void engineRuns(Path dir, int warmup, int runs, int maxVersions) throws Exception {
        MasterKey key = MasterKey.generate();
        try (LocalSecretStore local = LocalSecretStore.open("bench", dir, key, Clock.systemUTC(), new LocalStoreOptions(maxVersions))) {
            key.destroy();
            Counting store = new Counting(local);
            store.put("db/single", SecretValue.ofFields(Map.of("username", "u", "password", "p0")), PutOptions.current());
            RotationEngine engine = RotationEngine.builder(store).holder("bench").build();
            Rotator nothing = new NoTarget();
            for (int i = 0; i < warmup; i++) {
                succeed(engine.rotate("db/single", nothing, RotationRequest.scheduled()));
            }
            store.reset();
            long[] total = new long[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                succeed(engine.rotate("db/single", nothing, RotationRequest.scheduled()));
                total[i] = System.nanoTime() - start;
            }
            System.out.printf(Locale.ROOT, "%nrotation through RotationEngine on the local store, no target, %d runs after %d warm-up runs:%n",
                    runs, warmup);
            System.out.println("  " + summary(total));
            System.out.printf(Locale.ROOT, "  per run: %.1f writes (%.1f ms), %.1f reads (%.1f ms)%n",
                    store.writes.get() / (double) runs, store.writeNanos.get() / 1e6 / runs,
                    store.reads.get() / (double) runs, store.readNanos.get() / 1e6 / runs);
            for (Path f : List.of(FileNames.secretFile(dir.resolve(LocalSecretStore.SECRETS_DIR), "db/single"),
                    FileNames.secretFile(dir.resolve(LocalSecretStore.SECRETS_DIR), ".rotor/lease/db/single"))) {
                System.out.printf(Locale.ROOT, "  %s: %d bytes%n", dir.relativize(f), Files.size(f));
            }
            System.out.printf(Locale.ROOT, "  versions kept: secret %d, lease %d%n",
                    local.versions("db/single").size(), local.versions(".rotor/lease/db/single").size());
        }
    }

    private static void succeed(RotationResult r) {
        if (!(r instanceof RotationResult.Succeeded)) {
            throw new IllegalStateException("rotation did not succeed: " + r);
        }
    }

    /** A target that accepts everything at once. */
    private static final class NoTarget implements Rotator {
        private final AtomicLong n = new AtomicLong();

        @Override
        public String type() {
            return "none";
        }

        @Override
        public void preflight(RotationContext context, @Nullable Secret current) {}

        @Override
        public SecretValue create(RotationContext context, @Nullable Secret current) {
            return SecretValue.ofFields(Map.of("username", "u", "password", "p" + n.incrementAndGet()));
        }

        @Override
        public void apply(RotationContext context, @Nullable Secret current, Secret pending) {}

        @Override
        public void verify(RotationContext context, Secret pending) {}

        @Override
        public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {}

        @Override
        public void retire(RotationContext context, Secret previous, Secret current) {}
    }

    /** Counts and times the calls a rotation makes. */
    private static final class Counting implements SecretStore {
        final SecretStore d;
        final AtomicLong writes = new AtomicLong();
        final AtomicLong writeNanos = new AtomicLong();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong readNanos = new AtomicLong();

        Counting(SecretStore d) {
            this.d = d;
        }

        void reset() {
            writes.set(0);
            writeNanos.set(0);
            reads.set(0);
            readNanos.set(0);
        }

        private <T> T write(java.util.function.Supplier<T> op) {
            long t = System.nanoTime();
            try {
                return op.get();
            } finally {
                writes.incrementAndGet();
                writeNanos.addAndGet(System.nanoTime() - t);
            }
        }

        private <T> T read(java.util.function.Supplier<T> op) {
            long t = System.nanoTime();
            try {
                return op.get();
            } finally {
                reads.incrementAndGet();
                readNanos.addAndGet(System.nanoTime() - t);
            }
        }

        @Override
        public String name() {
            return d.name();
        }

        @Override
        public Capabilities capabilities() {
            return d.capabilities();
        }

        @Override
        public Secret get(String path, Selector selector) {
            return read(() -> d.get(path, selector));
        }

        @Override
        public VersionInfo put(String path, SecretValue value, PutOptions options) {
            return write(() -> d.put(path, value, options));
        }

        @Override
        public List<VersionInfo> versions(String path) {
            return read(() -> d.versions(path));
        }

        @Override
        public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
            return write(() -> d.promote(path, versionId, expectedCurrentVersionId));
        }

        @Override
        public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
            write(() -> {
                d.moveStage(path, stage, versionId, expectedVersionId);
                return null;
            });
        }

        @Override
        public List<String> list(String prefix) {
            return read(() -> d.list(prefix));
        }

        @Override
        public void delete(String path) {
            write(() -> {
                d.delete(path);
                return null;
            });
        }

        @Override
        public Health health() {
            return d.health();
        }

        @Override
        public void close() {
            d.close();
        }
    }

    // ------------------------------------------------------------------ one write taken apart

    private static final String[] PART_NAMES = {"lock", "read+auth", "encrypt", "encode+mac", "write+sync", "rename", "dir sync",
        "unlock", "moveStage"};

    /** One write's parts, each timed, at several numbers of versions in the file. */
    private static void writeParts(Path dir, int maxVersions) throws Exception {
        MasterKey key = MasterKey.generate();
        // Every version kept, so that the file sizes are the ones asked for.
        try (LocalSecretStore store = LocalSecretStore.open("bench", dir, key, Clock.systemUTC(),
                new LocalStoreOptions(LocalStoreOptions.MAX_MAX_VERSIONS))) {
            StoreKeys keys = new StoreKeys(key, StoreHeader.decode(Files.readAllBytes(StoreHeader.file(store.directory()))).storeId());
            key.destroy();
            StoreLock lock = new StoreLock(store.directory());
            Path secrets = store.directory().resolve(LocalSecretStore.SECRETS_DIR);
            System.out.printf(Locale.ROOT, "%none write taken apart (50 samples each, median and p99 in ms):%n");
            System.out.printf(Locale.ROOT, "  %-9s %-8s", "versions", "bytes");
            for (String n : PART_NAMES) {
                System.out.printf(Locale.ROOT, " %-15s", n);
            }
            System.out.println();
            String path = "db/parts";
            SecretValue value = SecretValue.ofFields(Map.of("username", "u", "password", UUID.randomUUID().toString()));
            int have = 0;
            for (int target : new int[] {1, maxVersions + 3, 100, 440, 1000}) {
                while (have < target) {
                    store.put(path, value, have == 0 ? PutOptions.current() : PutOptions.pending());
                    have++;
                }
                Path file = FileNames.secretFile(secrets, path);
                int samples = 50;
                long[][] t = new long[PART_NAMES.length][samples];
                for (int s = 0; s < samples; s++) {
                    int sample = s;
                    long a = System.nanoTime();
                    final long[] inside = new long[8];
                    lock.locked(() -> {
                        inside[0] = System.nanoTime();
                        byte[] data = Files.readAllBytes(file);
                        SecretFile f;
                        try {
                            f = SecretFile.decode(data, keys, path, SecretFile.KIND_SECRET);
                        } catch (SecretFile.CorruptFileException e) {
                            throw new IllegalStateException(e);
                        }
                        inside[1] = System.nanoTime();
                        byte[] plain = value.bytes();
                        keys.encrypt(StoreKeys.newNonce(), plain, path, f.nextVersion);
                        inside[2] = System.nanoTime();
                        byte[] content = f.encode(keys);
                        inside[3] = System.nanoTime();
                        Path temp = secrets.resolve("parts" + AtomicFiles.TEMP_MARK + sample);
                        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                            ByteBuffer buf = ByteBuffer.wrap(content);
                            while (buf.hasRemaining()) {
                                ch.write(buf);
                            }
                            ch.force(true);
                        }
                        inside[4] = System.nanoTime();
                        Path copy = secrets.resolve("parts-copy.bin");
                        Files.move(temp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        inside[5] = System.nanoTime();
                        AtomicFiles.syncDirectory(secrets);
                        inside[6] = System.nanoTime();
                        return null;
                    });
                    long b = System.nanoTime();
                    store.moveStage(path, Stage.PENDING, null, null);
                    long c = System.nanoTime();
                    long[] marks = {a, inside[0], inside[1], inside[2], inside[3], inside[4], inside[5], inside[6], b};
                    for (int k = 0; k < 8; k++) {
                        t[k][s] = marks[k + 1] - marks[k];
                    }
                    // The last column is a whole write through the store: PENDING set again.
                    store.moveStage(path, Stage.PENDING, Long.toString(have), null);
                    t[8][s] = System.nanoTime() - c;
                }
                System.out.printf(Locale.ROOT, "  %-9d %-8d", have, Files.size(file));
                for (long[] col : t) {
                    Arrays.sort(col);
                    System.out.printf(Locale.ROOT, " %6.3f / %-6.3f", col[col.length / 2] / 1e6, col[col.length * 99 / 100] / 1e6);
                }
                System.out.println();
            }
            keys.destroy();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms",
                pct(s, 50), pct(s, 90), pct(s, 99), s[s.length - 1] / 1e6, mean);
    }

    /** Nearest-rank percentile in milliseconds. */
    private static double pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
