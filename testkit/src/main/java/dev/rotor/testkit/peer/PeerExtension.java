package dev.rotor.testkit.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts a {@link PeerProcess} before the tests of a class and stops
 * it after them, or, when {@linkplain #shared shared}, starts it once for the whole test run
 * and stops it when the run ends.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PeerExtension MOTO = PeerExtension.shared(PeerProcess.builder("moto")
 *                 .command("python3", "-m", "moto.server", "-H", "{host}", "-p", "{port}")
 *                 .readiness(ReadinessProbe.http("/")))
 *         .requires(() -> Peers.commandFails(Duration.ofSeconds(30), "python3", "-c", "import moto.server"));
 *
 * @Test
 * void talksToMoto() {
 *     URI endpoint = MOTO.peer().uri();
 * }
 * }</pre>
 *
 * If a {@linkplain #requires precondition} names a problem, the class is skipped with that
 * reason, or fails when {@code CI=true} (see {@link Peers}); the check runs once per scope.
 * A peer that is present but fails to start fails the class with its output quoted.
 *
 * <p>Register it on a {@code static} field: the peer lives for the class (or the run), not
 * for one test. Thread-safe: parallel classes sharing a peer start it once.
 */
public final class PeerExtension implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PeerExtension.class);

    private final PeerProcess.Builder builder;
    private final String name;
    private final boolean shared;
    private final List<Supplier<Optional<String>>> preconditions = new ArrayList<>();
    private volatile @Nullable PeerProcess peer;

    private PeerExtension(PeerProcess.Builder builder, String name, boolean shared) {
        this.builder = builder;
        this.name = name;
        this.shared = shared;
    }

    /** A peer started before the class's tests and stopped after them. */
    public static PeerExtension perClass(PeerProcess.Builder builder) {
        PeerProcess probe = builder.build(); // checks the settings now, in the static initializer
        return new PeerExtension(builder, probe.name(), false);
    }

    /**
     * A peer started by the first class that needs it and stopped when the test run ends; every
     * class registering a shared peer of the same name gets the same process.
     */
    public static PeerExtension shared(PeerProcess.Builder builder) {
        PeerProcess probe = builder.build();
        return new PeerExtension(builder, probe.name(), true);
    }

    /** Adds a check that returns a reason when the peer cannot run here (a missing command, module...). */
    public PeerExtension requires(Supplier<Optional<String>> precondition) {
        preconditions.add(Objects.requireNonNull(precondition, "precondition"));
        return this;
    }

    /** The running peer. @throws IllegalStateException outside the tests of a class that registered this */
    public PeerProcess peer() {
        PeerProcess p = peer;
        if (p == null) {
            throw new IllegalStateException("peer '" + name + "' is not running: register the extension on a static field");
        }
        return p;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext scope = shared ? context.getRoot() : context;
        Started started = scope.getStore(NAMESPACE).getOrComputeIfAbsent("peer:" + name, k -> start(), Started.class);
        if (started.unavailable != null) {
            throw Peers.unavailable(name, started.unavailable);
        }
        if (started.failure != null) {
            throw new PeerStartException(started.failure.getMessage(), started.failure);
        }
        peer = started.process;
    }

    private Started start() {
        for (Supplier<Optional<String>> check : preconditions) {
            Optional<String> problem = check.get();
            if (problem.isPresent()) {
                return new Started(null, problem.get(), null);
            }
        }
        try {
            return new Started(builder.build().start(), null, null);
        } catch (PeerStartException e) {
            return new Started(null, null, e);
        }
    }

    /** The outcome of starting a peer, kept in the JUnit store; the store closes it with its scope. */
    private record Started(@Nullable PeerProcess process, @Nullable String unavailable, @Nullable PeerStartException failure)
            implements AutoCloseable {
        @Override
        public void close() {
            if (process != null) {
                process.close();
            }
        }
    }

    @Override
    public String toString() {
        return "PeerExtension[" + name + (shared ? ", shared" : ", per class") + "]";
    }
}
