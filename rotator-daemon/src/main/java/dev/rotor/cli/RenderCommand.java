package dev.rotor.cli;

import dev.rotor.SecretValue;
import dev.rotor.resolve.Resolution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotor render --file PATH=REF... [--dir D]}: resolves every ref in one pass, then writes
 * each value to its file under D, owner-only, each file replaced atomically. For an init
 * container that leaves files on a shared volume for a program that cannot run under
 * {@code rotor exec} (whose files go when its command exits).
 *
 * <p>If any ref fails, nothing is written: the error names every failed ref.
 */
@Command(name = "render",
        description = {
            "Resolves secret refs and writes their values to files (--file PATH=REF) under --dir, mode 0600, for an init"
                    + " container to leave on a shared volume. Every ref is resolved before any file is written; if one fails,"
                    + " none is written and the error names each failed ref. Existing files are replaced atomically.",
        },
        footerHeading = "%n",
        footer = "Example: rotor render --dir /secrets --file db/password=secret://main/db/app#password")
final class RenderCommand extends Subcommand {

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    @Option(names = "--file", paramLabel = "PATH=REF", required = true,
            description = "Write the value of REF to PATH, relative to --dir (repeatable).")
    List<String> files = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
            description = "The directory the files go to (created if missing; default: the working directory).")
    Path dir;

    @Override
    public Integer call() {
        List<ExecCommand.Target> targets = ExecCommand.parseTargets(List.of(), files);
        Path base = env().resolve(dir).normalize();
        for (ExecCommand.Target t : targets) {
            Path file = base.resolve(t.name()).normalize();
            if (!file.startsWith(base) || file.equals(base)) {
                throw CliFailure.badInput("--file " + t.name() + ": the path leaves " + base);
            }
        }
        Resolution<Map<String, String>> resolution = ExecCommand.resolve(cli(), targets);
        int written = 0;
        try {
            for (ExecCommand.Target t : targets) {
                Optional<SecretValue> value = resolution.value(t.location());
                if (value.isEmpty()) {
                    continue; // an optional: ref that is absent writes no file
                }
                byte[] bytes = value.get().bytes();
                try {
                    write(base.resolve(t.name()).normalize(), bytes);
                    written++;
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                    value.get().destroy();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            resolution.destroy();
        }
        out().println("rendered " + written + (written == 1 ? " file" : " files") + " to " + base);
        out().flush();
        return ExitCodes.OK;
    }

    /** Writes to a new owner-only file beside the target, then moves it over the target: readers never see half a file. */
    private static void write(Path target, byte[] bytes) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".rotor-render-", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
