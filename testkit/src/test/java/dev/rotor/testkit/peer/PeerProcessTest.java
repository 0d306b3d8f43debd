package dev.rotor.testkit.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerProcessTest {

    @TempDir
    Path logs;

    private PeerProcess.Builder tiny(String mode) throws IOException {
        return PeerProcess.builder("tiny-" + mode)
                .command(TinyServer.command(mode, "{port}"))
                .readiness(ReadinessProbe.http("/"))
                .logDirectory(logs)
                .startTimeout(Duration.ofSeconds(30));
    }

    @Test
    void startsOnAFreeLoopbackPortWaitsUntilReadyAndCapturesOutput() throws Exception {
        try (PeerProcess peer = tiny("serve").build().start()) {
            assertThat(peer.isAlive()).isTrue();
            assertThat(peer.host()).isEqualTo("127.0.0.1");
            assertThat(peer.uri().toString()).isEqualTo("http://127.0.0.1:" + peer.port());

            HttpURLConnection c = (HttpURLConnection) peer.uri().resolve("/anything").toURL().openConnection();
            assertThat(c.getResponseCode()).isEqualTo(200);
            c.disconnect();

            assertThat(peer.logFile()).startsWith(logs).hasFileName("tiny-serve-" + peer.port() + ".log");
            assertThat(Files.readString(peer.logFile())).contains("tiny server listening on " + peer.port());
        }
    }

    @Test
    void closeStopsTheProcessAndEveryChildItStarted() throws Exception {
        PeerProcess peer = tiny("serve-with-child").build().start();
        ProcessHandle main = ProcessHandle.of(peer.pid()).orElseThrow();
        List<ProcessHandle> children = main.descendants().toList();
        assertThat(children).as("the child JVM").isNotEmpty();

        peer.close();

        main.onExit().get(20, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            child.onExit().get(20, TimeUnit.SECONDS);
            assertThat(child.isAlive()).as("child %d", child.pid()).isFalse();
        }
        assertThat(peer.isAlive()).isFalse();
        assertThat(peer.pid()).isEqualTo(-1);
        peer.close(); // idempotent
    }

    @Test
    void aPeerThatExitsDuringStartUpFailsWithItsOutputAfterEveryAttempt() throws Exception {
        PeerProcess peer = tiny("exit").startAttempts(2).build();

        assertThatThrownBy(peer::start)
                .isInstanceOf(PeerStartException.class)
                .hasMessageContaining("peer 'tiny-exit' exited with code 3 before it was ready")
                .hasMessageContaining("boom: cannot start");
        try (var files = Files.list(logs)) {
            assertThat(files.toList()).as("one output file per attempt").hasSize(2);
        }
        assertThat(peer.isAlive()).isFalse();
    }

    @Test
    void aPeerThatNeverBecomesReadyFailsAtTheTimeoutAndIsStopped() throws Exception {
        PeerProcess peer = tiny("mute").startTimeout(Duration.ofSeconds(2)).build();

        assertThatThrownBy(peer::start)
                .isInstanceOf(PeerStartException.class)
                .hasMessageContaining("was not ready on 127.0.0.1:")
                .hasMessageContaining("within PT2S")
                .hasMessageContaining("starting but never listening");
        assertThat(peer.isAlive()).isFalse();
    }

    @Test
    void aCommandThatCannotRunFailsAtOnce() {
        PeerProcess peer = PeerProcess.builder("nothing").command("/no/such/program-" + System.nanoTime(), "{port}")
                .logDirectory(logs).build();

        assertThatThrownBy(peer::start)
                .isInstanceOf(PeerStartException.class)
                .hasMessageContaining("peer 'nothing' could not be started");
    }

    @Test
    void accessorsBeforeStartAndASecondStartAreRefused() throws Exception {
        PeerProcess peer = tiny("serve").build();

        assertThatThrownBy(peer::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("not been started");
        assertThatThrownBy(peer::logFile).isInstanceOf(IllegalStateException.class);
        assertThat(peer.toString()).contains("not started");
        try (peer) {
            peer.start();
            assertThatThrownBy(peer::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }

    @Test
    void builderReportsEveryProblemAtOnce() {
        PeerProcess.Builder b = PeerProcess.builder("bad name")
                .startTimeout(Duration.ZERO)
                .pollInterval(Duration.ofMillis(-1))
                .startAttempts(0);

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must be non-empty")
                .hasMessageContaining("command is required")
                .hasMessageContaining("startTimeout must be positive")
                .hasMessageContaining("pollInterval must be positive")
                .hasMessageContaining("startAttempts must be at least 1");
    }

    @Test
    void freeLoopbackPortsAreUsablePorts() {
        int port = PeerProcess.freeLoopbackPort();

        assertThat(port).isBetween(1, 65535);
    }
}
