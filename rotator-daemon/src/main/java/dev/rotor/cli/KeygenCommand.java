package dev.rotor.cli;

import dev.rotor.local.MasterKey;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotor keygen [--out FILE]}: a new master key file for a local store; the key is never printed. */
@Command(name = "keygen",
        description = {
            "Writes a new random master key for a local store to a file readable by the owner only (0600).",
            "Prints the file's path, never the key. Refuses to overwrite an existing file.",
        })
final class KeygenCommand extends Subcommand {

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "master.key",
            description = "Where to write the key (default: ${DEFAULT-VALUE} in the working directory).")
    Path out = Path.of("master.key");

    @Override
    public Integer call() {
        Path file = env().resolve(out);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliFailure(ExitCodes.FAILURE, file + " already exists; refusing to overwrite a key (choose another --out)");
        }
        MasterKey.writeNew(file).destroy();
        out().println("wrote a new master key to " + file + " (owner read/write only); keep it out of the store's backups");
        return ExitCodes.OK;
    }
}
