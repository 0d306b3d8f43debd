package dev.rotor.testkit.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class PeersTest {

    @Test
    void aMissingPeerSkipsWithAOneLineReasonOutsideCi() {
        RuntimeException e = Peers.unavailable("moto", "python3 cannot import moto.server\n(pip install moto)", Map.<String, String>of()::get);

        assertThat(e).isInstanceOf(TestAbortedException.class)
                .hasMessage("peer 'moto' is not available: python3 cannot import moto.server (pip install moto)");
    }

    @Test
    void aMissingPeerFailsWhenCiIsTrue() {
        RuntimeException e = Peers.unavailable("moto", "python3 is not on the PATH", Map.of("CI", "true")::get);

        assertThat(e).isInstanceOf(MissingPeerException.class)
                .hasMessageStartingWith("peer 'moto' is not available: python3 is not on the PATH")
                .hasMessageContaining("CI=true");
        assertThat(Peers.inCi(Map.of("CI", " TRUE ")::get)).isTrue();
        assertThat(Peers.inCi(Map.of("CI", "false")::get)).isFalse();
        assertThat(Peers.inCi(Map.<String, String>of()::get)).isFalse();
    }

    @Test
    void requireThrowsOnlyWhenThereIsAProblem() {
        Peers.require("present", Optional.empty());

        assertThatThrownBy(() -> Peers.require("absent", Optional.of("not installed")))
                .isInstanceOfAny(TestAbortedException.class, MissingPeerException.class)
                .hasMessageContaining("peer 'absent' is not available: not installed");
    }

    @Test
    void missingCommandLooksForAnExecutableOnThePath(@TempDir Path dir) throws Exception {
        Path tool = Files.createFile(dir.resolve("mytool"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createFile(dir.resolve("notexec"));

        assertThat(Peers.missingCommand("mytool", "/nonexistent:" + dir)).isEmpty();
        assertThat(Peers.missingCommand("notexec", dir.toString())).contains("'notexec' is not on the PATH");
        assertThat(Peers.missingCommand("mytool", null)).isPresent();
        assertThat(tool).isExecutable();
    }

    @Test
    void commandFailsReportsExitCodeAndLastOutputLine() {
        assertThat(Peers.commandFails(Duration.ofSeconds(20), "sh", "-c", "exit 0")).isEmpty();
        assertThat(Peers.commandFails(Duration.ofSeconds(20), "sh", "-c", "echo first; echo 'No module named moto' >&2; exit 4"))
                .contains("'sh -c echo first; echo 'No module named moto' >&2; exit 4' exited with code 4: No module named moto");
        assertThat(Peers.commandFails(Duration.ofSeconds(20), "/no/such/binary-" + System.nanoTime()))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("cannot run"));
    }

    @Test
    void commandFailsGivesUpAtTheTimeout() {
        assertThat(Peers.commandFails(Duration.ofMillis(300), "sh", "-c", "sleep 30"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("did not finish within PT0.3S"));
    }
}
