package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretNotFoundException;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills real writer processes ({@link CrashWriter}) with SIGKILL at random points and checks
 * that the store survives: it opens, every acknowledged version reads back with the same hash,
 * and the stage pointers are exactly those the acknowledged operations left, plus at most the
 * one operation that was in flight when the writer died.
 */
class LocalStoreCrashIT {

    private static final int KILLS = 50;
    private static final List<String> PATHS = List.of("crash/a", "crash/b", "crash/Deep/path_c");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Small, so that the killed writers prune old versions all the time. */
    private static final int KEEP = 4;
    private static final int KEEP_ALL = LocalStoreOptions.MAX_MAX_VERSIONS;

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate();

    // ---- the writer processes --------------------------------------------------------------

    /**
     * A running writer and the complete lines of its report file. The report is a file, not the
     * child's stdout: the JDK drains a dead child's pipe on its own thread, and a line written
     * just before the kill could be lost there, while a file keeps every line whose write(2)
     * returned.
     */
    private static final class Writer {
        final Process process;
        final Path report;
        final Path stderr;
        final List<String> lines = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private long offset;
        int acks;
        boolean ended;

        Writer(Process process, Path report, Path stderr) {
            this.process = process;
            this.report = report;
            this.stderr = stderr;
        }

        /**
         * Reads the report as it grows until {@code until} holds or {@code maxWait} passes;
         * false if the writer exited and its report was read to the end first.
         */
        boolean take(Duration maxWait, BooleanSupplier until) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (!until.getAsBoolean()) {
                boolean exited = !process.isAlive();
                if (readMore() == 0) {
                    if (exited) {
                        // A line without its newline was cut by the kill: it was never written whole.
                        ended = true;
                        return false;
                    }
                    if (System.nanoTime() >= deadline) {
                        return true;
                    }
                    // Not a wait that fails on time out: running out of time is an answer here
                    // (the caller also lets the writer go on a random few ms this way), and the
                    // report is read on every turn, so this stays a loop of its own.
                    Thread.sleep(1);
                }
            }
            return true;
        }

        /** Appends the report's new complete lines; returns how many bytes were new. */
        private int readMore() throws IOException {
            byte[] fresh;
            try (FileChannel ch = FileChannel.open(report)) {
                long size = ch.size();
                if (size <= offset) {
                    return 0;
                }
                ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // read until the buffer is full
                }
                fresh = Arrays.copyOf(buf.array(), buf.position());
            } catch (NoSuchFileException e) {
                return 0; // the writer has not created it yet
            }
            offset += fresh.length;
            for (byte b : fresh) {
                if (b == '\n') {
                    String line = partial.toString();
                    partial.setLength(0);
                    lines.add(line);
                    if (line.startsWith("ACK ")) {
                        acks++;
                    }
                } else {
                    partial.append((char) b);
                }
            }
            return fresh.length;
        }

        /** Reads the rest of the report once the writer has exited (or waits {@link #PATIENCE} for it to). */
        void drain() throws IOException, InterruptedException {
            process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            take(PATIENCE, () -> false);
        }

        String diagnostics() {
            try {
                return "writer exit " + (process.isAlive() ? "(alive)" : process.exitValue()) + ", stderr:\n" + Files.readString(stderr);
            } catch (IOException e) {
                return "writer stderr unreadable: " + e;
            }
        }
    }

    private Writer start(Path dir, long seed, int operations, List<String> paths, String name, int maxVersions) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path stderr = tmp.resolve(name + ".stderr");
        Path report = tmp.resolve(name + ".report");
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Dlogback.configurationFile=" + resource("crash-writer-logback.xml"),
                "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), Long.toString(seed), Integer.toString(operations), String.join(",", paths),
                Integer.toString(maxVersions), report.toString());
        pb.environment().put("ROTOR_MASTER_KEY", key.toBase64());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(stderr.toFile());
        return new Writer(pb.start(), report, stderr);
    }

    private static String resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(LocalStoreCrashIT.class.getResource("/" + name), name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the model of what was acknowledged --------------------------------------------------

    private record Op(String kind, String path, String arg) {
        static Op parse(String line) {
            String[] f = line.split(" ");
            return new Op(f[1], f[2], f[3]);
        }
    }

    /** Versions (id to value hash) and stage pointers of one secret. */
    private static final class State {
        final Map<String, String> hashes = new TreeMap<>();
        final Map<Stage, String> stages = new EnumMap<>(Stage.class);

        State copy() {
            State s = new State();
            s.hashes.putAll(hashes);
            s.stages.putAll(stages);
            return s;
        }

        /**
         * What {@code op} does, with the version id and hash it reported (or made), then the
         * store's pruning: versions no stage points at beyond the newest {@code keep} are gone.
         */
        State apply(Op op, String id, String hash, int keep) {
            State s = copy();
            switch (op.kind()) {
                case "PUT_CURRENT" -> {
                    assertThat(s.hashes.put(id, hash)).as("version %s of %s handed out twice", id, op.path()).isNull();
                    String old = s.stages.put(Stage.CURRENT, id);
                    if (old != null) {
                        s.stages.put(Stage.PREVIOUS, old);
                    }
                }
                case "PUT_PENDING" -> {
                    assertThat(s.hashes.put(id, hash)).as("version %s of %s handed out twice", id, op.path()).isNull();
                    s.stages.put(Stage.PENDING, id);
                }
                case "PROMOTE" -> {
                    assertThat(s.hashes.get(id)).as("hash of promoted version %s of %s", id, op.path()).isEqualTo(hash);
                    String old = s.stages.get(Stage.CURRENT);
                    if (!id.equals(old)) {
                        s.stages.put(Stage.CURRENT, id);
                        if (old != null) {
                            s.stages.put(Stage.PREVIOUS, old);
                        }
                    }
                    if (id.equals(s.stages.get(Stage.PENDING))) {
                        s.stages.remove(Stage.PENDING);
                    }
                }
                default -> throw new AssertionError("unknown operation " + op);
            }
            List<String> newestFirst = new ArrayList<>(s.hashes.keySet());
            newestFirst.sort(Comparator.comparingLong((String v) -> Long.parseLong(v)).reversed());
            int unstaged = 0;
            for (String v : newestFirst) {
                if (!s.stages.containsValue(v) && ++unstaged > keep) {
                    s.hashes.remove(v);
                }
            }
            return s;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && hashes.equals(s.hashes) && stages.equals(s.stages);
        }

        @Override
        public int hashCode() {
            return Objects.hash(hashes, stages);
        }

        @Override
        public String toString() {
            return "versions=" + hashes.keySet() + " stages=" + stages;
        }
    }

    /**
     * Reads one secret's state from the store: version ids and stages from {@code versions()},
     * and the value hash of each version (read only for versions {@code known} lacks, unless
     * {@code rereadAll}).
     */
    private static State actual(LocalSecretStore store, String path, State known, boolean rereadAll) {
        State s = new State();
        List<VersionInfo> versions;
        try {
            versions = store.versions(path);
        } catch (SecretNotFoundException e) {
            return s;
        }
        for (VersionInfo v : versions) {
            String hash = !rereadAll && known.hashes.containsKey(v.id())
                    ? known.hashes.get(v.id())
                    : CrashWriter.sha256(store.get(path, Selector.version(v.id())).value().bytes());
            s.hashes.put(v.id(), hash);
            v.stages().forEach(stage -> assertThat(s.stages.put(stage, v.id())).as("%s on two versions of %s", stage, path).isNull());
        }
        // The ids are handed out in increasing order, and listed oldest first.
        assertThat(versions).extracting(v -> Long.parseLong(v.id())).isSorted();
        return s;
    }

    /** Applies a writer's output to the model; returns the operation that was in flight, if any. */
    private static @Nullable Op replay(List<String> lines, Map<String, State> model, int keep) {
        Op inFlight = null;
        for (String line : lines) {
            if (line.startsWith("OP ")) {
                assertThat(inFlight).as("an operation began before the previous one was acknowledged").isNull();
                inFlight = Op.parse(line);
            } else if (line.startsWith("ACK ")) {
                String[] f = line.split(" ");
                assertThat(inFlight).as("acknowledgement without an operation: %s", line).isNotNull();
                assertThat(f[1]).isEqualTo(inFlight.path());
                if (inFlight.kind().startsWith("PUT")) {
                    assertThat(f[3]).as("hash acknowledged for %s", line).isEqualTo(inFlight.arg());
                }
                model.put(f[1], model.getOrDefault(f[1], new State()).apply(inFlight, f[2], f[3], keep));
                inFlight = null;
            } else if (line.startsWith("CONFLICT ")) {
                assertThat(inFlight).isNotNull();
                inFlight = null;
            } else {
                throw new AssertionError("the writer printed a line outside its protocol: " + line);
            }
        }
        return inFlight;
    }

    /** The end of a writer's output, for failure messages (lines carry ids and hashes, never values). */
    private static List<String> lastLines(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 8), lines.size());
    }

    // ---- the tests -----------------------------------------------------------------------

    @Test
    void writersKilledAtRandomPointsNeverLoseAnAcknowledgedWriteOrCorruptTheStore() throws Exception {
        Path dir = tmp.resolve("store");
        long seed = Long.getLong("rotor.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<String, State> model = new HashMap<>();
        int inFlightApplied = 0;
        int inFlightLost = 0;
        int totalAcks = 0;
        for (int run = 0; run < KILLS; run++) {
            String context = "run " + run + " (seed " + seed + ")";
            Writer w = start(dir, random.nextLong(), 1_000_000, PATHS, "crash-" + run, KEEP);
            int targetAcks = random.nextInt(20);
            assertThat(w.take(PATIENCE, () -> w.acks >= targetAcks)).as("%s: writer ended early; %s", context, w.diagnostics()).isTrue();
            assertThat(w.acks).as("%s: acknowledgements before the deadline; %s", context, w.diagnostics()).isGreaterThanOrEqualTo(targetAcks);
            // A few more milliseconds of writing, so the kill lands anywhere inside an operation.
            w.take(Duration.ofNanos(random.nextInt(15_000_000)), () -> false);
            w.process.destroyForcibly();
            assertThat(w.process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as(context).isTrue();
            w.drain();
            assertThat(w.ended).as("%s: writer ended before it was killed; %s", context, w.diagnostics()).isTrue();
            totalAcks += w.acks;

            Op inFlight = replay(w.lines, model, KEEP);
            try (LocalSecretStore store = LocalSecretStore.open("check", dir, key, Clock.systemUTC())) {
                for (String path : PATHS) {
                    State expected = model.getOrDefault(path, new State());
                    State found = actual(store, path, expected, false);
                    if (inFlight != null && inFlight.path().equals(path) && !found.equals(expected)) {
                        State withOp = switch (inFlight.kind()) {
                            case "PROMOTE" -> expected.apply(inFlight, inFlight.arg(), expected.hashes.get(inFlight.arg()), KEEP);
                            default -> {
                                Set<String> extra = new HashSet<>(found.hashes.keySet());
                                extra.removeAll(expected.hashes.keySet());
                                assertThat(extra).as("%s: versions beyond the acknowledged ones of %s (found %s, expected %s; writer's last lines %s)",
                                        context, path, found, expected, lastLines(w.lines)).hasSize(1);
                                String id = extra.iterator().next();
                                yield expected.apply(inFlight, id, inFlight.arg(), KEEP);
                            }
                        };
                        assertThat(found).as("%s: %s after the in-flight %s", context, path, inFlight.kind()).isEqualTo(withOp);
                        inFlightApplied++;
                        model.put(path, found);
                    } else {
                        assertThat(found).as("%s: state of %s (in flight: %s; writer's last lines %s)", context, path, inFlight,
                                lastLines(w.lines)).isEqualTo(expected);
                        if (inFlight != null && inFlight.path().equals(path)) {
                            inFlightLost++;
                        }
                    }
                }
                assertThat(store.list("crash/")).as(context).isSubsetOf(PATHS);
            }
        }
        // Finally read every acknowledged version back in full, from a fresh store object.
        try (LocalSecretStore store = LocalSecretStore.open("check", dir, key, Clock.systemUTC())) {
            assertThat(store.health().up()).isTrue();
            for (String path : PATHS) {
                State expected = model.getOrDefault(path, new State());
                assertThat(actual(store, path, expected, true)).as("final state of %s (seed %s)", path, seed).isEqualTo(expected);
                if (expected.stages.containsKey(Stage.CURRENT)) {
                    assertThat(CrashWriter.sha256(store.get(path).value().bytes()))
                            .isEqualTo(expected.hashes.get(expected.stages.get(Stage.CURRENT)));
                }
            }
        }
        System.out.printf("crash test (seed %d): %d kills, %d acknowledged operations, in-flight operations applied %d, not applied %d%n",
                seed, KILLS, totalAcks, inFlightApplied, inFlightLost);
        assertThat(totalAcks).isGreaterThan(KILLS);
    }

    @Test
    void twoProcessesWritingTheSameSecretsAtOnceLoseNoAcknowledgedWrite() throws Exception {
        Path dir = tmp.resolve("shared");
        List<String> paths = List.of("shared/a", "shared/b");
        LocalSecretStore.open("init", dir, key, Clock.systemUTC()).close(); // so neither writer races to create it
        // Every version kept: the check below finds each acknowledged put in the store.
        Writer first = start(dir, 1, 80, paths, "first", KEEP_ALL);
        Writer second = start(dir, 2, 80, paths, "second", KEEP_ALL);
        for (Writer w : List.of(first, second)) {
            w.drain();
            assertThat(w.process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).as(w.diagnostics()).isZero();
        }
        Map<String, Map<String, String>> puts = new HashMap<>();
        for (Writer w : List.of(first, second)) {
            Op op = null;
            for (String line : w.lines) {
                if (line.startsWith("OP ")) {
                    op = Op.parse(line);
                } else if (line.startsWith("ACK ") && op.kind().startsWith("PUT")) {
                    String[] f = line.split(" ");
                    assertThat(puts.computeIfAbsent(f[1], p -> new TreeMap<>()).put(f[2], f[3]))
                            .as("version %s of %s acknowledged to both writers", f[2], f[1]).isNull();
                }
            }
        }
        try (LocalSecretStore store = LocalSecretStore.open("check", dir, key, Clock.systemUTC())) {
            for (String path : paths) {
                State found = actual(store, path, new State(), true);
                assertThat(found.hashes).as("versions of %s", path).isEqualTo(puts.getOrDefault(path, Map.of()));
                found.stages.values().forEach(id -> assertThat(found.hashes).containsKey(id));
            }
        }
        assertThat(puts.values().stream().mapToInt(Map::size).sum()).isGreaterThan(80);
    }
}
