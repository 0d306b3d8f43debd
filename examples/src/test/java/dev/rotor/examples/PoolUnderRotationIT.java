package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/pool-under-rotation.sh} runs briefly on the packaged build: the pool keeps
 * answering while the password rotates every 2 s, and the program says so (0 failed queries)
 * and exits 0.
 */
class PoolUnderRotationIT {

    private static final Path ROOT = Path.of(System.getProperty("rotor.project.root", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("examples/pool-under-rotation.sh");

    @TempDir
    Path dir;

    @Test
    void theApplicationReportsNoFailedQueryAcrossRotations() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("POOL_SECONDS", "12");
        pb.environment().put("POOL_ROTATE_EVERY", "2");
        Process p = pb.start();
        p.getOutputStream().close();
        // 12 s of load, plus PostgreSQL's start.
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);

        assertThat(done).as("the example did not finish within 180 s").isTrue();
        assertThat(p.exitValue()).as("exit code; stdout:%n%s%nstderr:%n%s", stdout, stderr).isZero();
        Matcher m = Pattern.compile("(\\d+) queries, (\\d+) failed queries").matcher(stdout);
        assertThat(m.find()).as("the final count in:%n%s", stdout).isTrue();
        assertThat(Long.parseLong(m.group(1))).isPositive();
        assertThat(m.group(2)).isEqualTo("0");
        assertThat(stdout).containsPattern("rotation +5: version ");
        assertThat(stdout).doesNotContain("query failed", "rotation failed");
    }
}
