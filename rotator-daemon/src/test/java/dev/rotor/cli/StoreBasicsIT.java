package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code examples/store-basics.sh} (the CLI basics) runs through against the packaged jar, as on a fresh clone after {@code package}. */
class StoreBasicsIT {

    @TempDir
    Path dir;

    @Test
    void storeBasicsRunsEveryStepAndRevealsOnlyTheUsername() throws Exception {
        Path workDir = dir.resolve("quickstart");
        RotorProcess process = new RotorProcess(dir);
        process.env.put("QUICKSTART_DIR", workDir.toString());

        RotorProcess.Result r = process.run(List.of("bash", RotorProcess.PROJECT_ROOT.resolve("examples/store-basics.sh").toString()),
                new byte[0]);

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).isEmpty();
        assertThat(r.out())
                .contains("$ rotor keygen --out master.key")
                .contains("secret://main/db/app: put version 1 (CURRENT)")
                .contains("secret://main/db/app: put version 2 (PENDING)")
                .contains("stages   CURRENT")
                .contains("secret://main/db/app: CURRENT 1 -> 2; PREVIOUS is now 1")
                .contains("app_v2\n")
                .contains("ok: ");
        // The only value shown is the username; no password and no JSON value is ever printed.
        assertThat(r.out()).doesNotContain("\"password\"").doesNotContain("{\"username\"");
        assertThat(workDir.resolve("master.key")).isRegularFile();
        assertThat(Files.readAllLines(workDir.resolve("audit.jsonl"))).isNotEmpty();
        String key = Files.readString(workDir.resolve("master.key")).strip();
        assertThat(r.out()).doesNotContain(key);
    }

    @Test
    void storeBasicsStartsFreshWhenRunAgain() throws Exception {
        Path workDir = dir.resolve("again");
        RotorProcess process = new RotorProcess(dir);
        process.env.put("QUICKSTART_DIR", workDir.toString());
        List<String> command = List.of("bash", RotorProcess.PROJECT_ROOT.resolve("examples/store-basics.sh").toString());

        assertThat(process.run(command, new byte[0]).exitCode()).isZero();
        RotorProcess.Result second = process.run(command, new byte[0]);

        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.out()).contains("put version 1 (CURRENT)");
    }

    @Test
    void storeBasicsRefusesADirectoryItDidNotMake() throws Exception {
        Path foreign = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(foreign.resolve("notes.txt"), "keep me");
        RotorProcess process = new RotorProcess(dir);
        process.env.put("QUICKSTART_DIR", foreign.toString());

        RotorProcess.Result r = process.run(List.of("bash", RotorProcess.PROJECT_ROOT.resolve("examples/store-basics.sh").toString()),
                new byte[0]);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("was not made by this script");
        assertThat(foreign.resolve("notes.txt")).hasContent("keep me");
    }
}
