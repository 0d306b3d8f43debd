package dev.rotor.k8s;

import dev.rotor.testkit.peer.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize}, as {@code kubectl apply -k} would.
 * Without kubectl on the PATH the calling test is skipped locally and fails in CI
 * ({@link Peers}). Stateless and thread-safe.
 */
final class Kustomize {

    private static final long TIMEOUT_SECONDS = 60;

    private Kustomize() {}

    /** The repository's root directory (set by the build; the module's parent otherwise). */
    static Path projectRoot() {
        String root = System.getProperty("rotor.project.root");
        Path p = root == null || root.isBlank() ? Path.of("..") : Path.of(root);
        return p.toAbsolutePath().normalize();
    }

    /** {@code kubectl kustomize dir}: the rendered objects as YAML. */
    static String render(Path dir) {
        Peers.require("kubectl", Peers.missingCommand("kubectl"));
        try {
            Path out = Files.createTempFile("rotor-kustomize", ".yaml");
            Path err = Files.createTempFile("rotor-kustomize", ".err");
            try {
                Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within " + TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed with exit code " + p.exitValue() + ": "
                            + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + dir, e);
        }
    }
}
