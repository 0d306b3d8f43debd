package dev.rotor.internal.store;

import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A test double around an {@link InMemorySecretStore}: counts calls per operation, throws on
 * demand (before the operation, or after doing it, as when an answer is lost on the way), and
 * can hold reads of one path until released. Thread-safe.
 */
public final class ScriptedStore implements SecretStore {

    /** A scripted failure for one call of {@code op}. */
    private record Fault(String op, boolean afterDoing, Supplier<RuntimeException> error) {}

    private final InMemorySecretStore backing;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final Map<String, Supplier<RuntimeException>> persistent = new ConcurrentHashMap<>();
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private volatile @Nullable PutOptions lastPutOptions;
    private volatile @Nullable Secret lastReturned;
    private volatile boolean closed;

    public ScriptedStore(String name, Clock clock) {
        this.backing = new InMemorySecretStore(name, clock);
    }

    /** Holds the answer of the next {@code get} of one path until {@link #release()}. */
    public static final class Gate {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        public void awaitEntered() throws InterruptedException {
            if (!entered.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("nobody reached the gate within 30 s");
            }
        }

        public void release() {
            release.countDown();
        }

        void pass() {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("gate not released within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted at the gate", e);
            }
        }
    }

    /** The underlying store, for setting up and inspecting state without going through the double. */
    public InMemorySecretStore backing() {
        return backing;
    }

    public int calls(String op) {
        AtomicInteger n = calls.get(op);
        return n == null ? 0 : n.get();
    }

    /** The next call of {@code op} throws {@code error} without doing anything. */
    public ScriptedStore failNext(String op, RuntimeException error) {
        faults.add(new Fault(op, false, () -> error));
        return this;
    }

    /** The next call of {@code op} does its work, then throws {@code error} (a lost answer). */
    public ScriptedStore failNextAfterDoing(String op, RuntimeException error) {
        faults.add(new Fault(op, true, () -> error));
        return this;
    }

    /** Every call of {@code op} throws a fresh error from {@code error} until {@link #heal}. */
    public ScriptedStore failAlways(String op, Supplier<RuntimeException> error) {
        persistent.put(op, error);
        return this;
    }

    public ScriptedStore heal(String op) {
        persistent.remove(op);
        return this;
    }

    public Gate gateGets(String path) {
        Gate gate = new Gate();
        gates.put(path, gate);
        return gate;
    }

    public @Nullable PutOptions lastPutOptions() {
        return lastPutOptions;
    }

    /** The last secret {@code get} returned to its caller. */
    public @Nullable Secret lastReturned() {
        return lastReturned;
    }

    public boolean isClosed() {
        return closed;
    }

    private <T> T call(String op, Supplier<T> work) {
        calls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
        Supplier<RuntimeException> always = persistent.get(op);
        if (always != null) {
            throw always.get();
        }
        Fault fault = null;
        for (Fault f : faults) {
            if (f.op().equals(op) && faults.remove(f)) {
                fault = f;
                break;
            }
        }
        if (fault != null && !fault.afterDoing()) {
            throw fault.error().get();
        }
        T result = work.get();
        if (fault != null) {
            throw fault.error().get();
        }
        return result;
    }

    @Override
    public String name() {
        return backing.name();
    }

    @Override
    public Capabilities capabilities() {
        return backing.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        Secret s = call("get", () -> {
            Secret read = backing.get(path, selector);
            Gate gate = gates.remove(path);
            if (gate != null) {
                gate.pass(); // a slow answer: read now, delivered on release
            }
            return read;
        });
        lastReturned = s;
        return s;
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        lastPutOptions = options;
        return call("put", () -> backing.put(path, value, options));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        return call("versions", () -> backing.versions(path));
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        return call("promote", () -> backing.promote(path, versionId, expectedCurrentVersionId));
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        call("moveStage", () -> {
            backing.moveStage(path, stage, versionId, expectedVersionId);
            return null;
        });
    }

    @Override
    public List<String> list(String prefix) {
        return call("list", () -> backing.list(prefix));
    }

    @Override
    public void delete(String path) {
        call("delete", () -> {
            backing.delete(path);
            return null;
        });
    }

    @Override
    public Health health() {
        return backing.health();
    }

    @Override
    public void close() {
        closed = true;
        backing.close();
    }

    @Override
    public String toString() {
        return "ScriptedStore[" + backing + "]";
    }
}
