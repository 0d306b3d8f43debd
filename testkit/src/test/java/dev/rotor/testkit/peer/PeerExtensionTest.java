package dev.rotor.testkit.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class PeerExtensionTest {

    /** Pids seen by the test classes below, by class. */
    static final Map<String, List<Long>> PIDS = new ConcurrentHashMap<>();

    private static PeerProcess.Builder tiny(String name) {
        try {
            return PeerProcess.builder(name)
                    .command(TinyServer.command("serve", "{port}"))
                    .readiness(ReadinessProbe.http("/"))
                    .logDirectory(java.nio.file.Path.of("target", "peers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void record(String who, PeerProcess peer) {
        assertThat(peer.isAlive()).isTrue();
        PIDS.computeIfAbsent(who, k -> new CopyOnWriteArrayList<>()).add(peer.pid());
    }

    static class PerClassUser {
        @RegisterExtension
        static final PeerExtension TINY = PeerExtension.perClass(tiny("tiny-per-class"));

        @Test
        void first() {
            record("per-class", TINY.peer());
        }

        @Test
        void second() {
            record("per-class", TINY.peer());
        }
    }

    static class SharedUserA {
        @RegisterExtension
        static final PeerExtension TINY = PeerExtension.shared(tiny("tiny-shared"));

        @Test
        void uses() {
            record("shared", TINY.peer());
        }
    }

    static class SharedUserB {
        @RegisterExtension
        static final PeerExtension TINY = PeerExtension.shared(tiny("tiny-shared"));

        @Test
        void uses() {
            record("shared", TINY.peer());
        }
    }

    static class MissingPeerUser {
        @RegisterExtension
        static final PeerExtension ABSENT = PeerExtension.perClass(tiny("tiny-absent"))
                .requires(() -> Optional.of("the tiny server is not installed"));

        @Test
        void neverRuns() {
            PIDS.computeIfAbsent("absent", k -> new CopyOnWriteArrayList<>()).add(-1L);
        }
    }

    /** Outcomes by display name of the container or test. */
    private static Map<String, TestExecutionResult> run(Class<?>... classes) {
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        List<ClassSelector> selectors = java.util.Arrays.stream(classes).map(c -> selectClass(c)).toList();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        results.put(id.getDisplayName(), result);
                    }
                });
        return results;
    }

    @Test
    void aPerClassPeerServesEveryTestOfTheClassAndStopsAfterIt() throws Exception {
        PIDS.clear();

        Map<String, TestExecutionResult> results = run(PerClassUser.class);

        assertThat(results.get("first()").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(results.get("second()").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        List<Long> pids = PIDS.get("per-class");
        assertThat(pids).hasSize(2).containsOnly(pids.get(0));
        assertStopped(pids.get(0));
    }

    @Test
    void aSharedPeerIsStartedOnceForEveryClassOfTheRunAndStoppedAtItsEnd() throws Exception {
        PIDS.clear();

        Map<String, TestExecutionResult> results = run(SharedUserA.class, SharedUserB.class);

        assertThat(results.values()).extracting(TestExecutionResult::getStatus).containsOnly(TestExecutionResult.Status.SUCCESSFUL);
        List<Long> pids = PIDS.get("shared");
        assertThat(pids).hasSize(2).containsOnly(pids.get(0));
        assertStopped(pids.get(0));
    }

    @Test
    void aMissingPeerSkipsTheClassLocallyAndFailsItInCi() {
        PIDS.clear();

        Map<String, TestExecutionResult> results = run(MissingPeerUser.class);

        TestExecutionResult outcome = results.get("PeerExtensionTest$MissingPeerUser");
        assertThat(outcome.getStatus()).isEqualTo(Peers.inCi() ? TestExecutionResult.Status.FAILED : TestExecutionResult.Status.ABORTED);
        assertThat(outcome.getThrowable()).hasValueSatisfying(t -> assertThat(t)
                .hasMessageStartingWith("peer 'tiny-absent' is not available: the tiny server is not installed"));
        assertThat(PIDS).doesNotContainKey("absent");
    }

    private static void assertStopped(long pid) throws Exception {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent()) {
            handle.get().onExit().get(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid %d alive", pid).isIn(Optional.empty(), Optional.of(false));
    }
}
