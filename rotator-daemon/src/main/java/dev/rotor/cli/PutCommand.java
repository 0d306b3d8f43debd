package dev.rotor.cli;

import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rotor put REF [--file F] [--pending] [--tag k=v]...}: the value comes from stdin or a file, never an argument. */
@Command(name = "put",
        description = {
            "Writes a new version of a secret and prints its version id and stages.",
            "The value is read from stdin (until end of input, byte for byte) or from --file; "
                    + "there is deliberately no option that takes the value itself.",
        })
final class PutCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "REF", description = "The secret, e.g. secret://main/db/app (no #field or ?stage).")
    String ref;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE instead of stdin.")
    @Nullable Path file;

    @Option(names = "--pending", description = "Write the version as PENDING: CURRENT stays as it is until 'rotor promote'.")
    boolean pending;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Tag the new version (repeatable). Tags are not secret: they show in metadata.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Override
    public Integer call() {
        SecretRef target = Refs.whole(ref, "put");
        PutOptions options = (pending ? PutOptions.pending() : PutOptions.current()).withTags(tags);
        return cli().withRotor(rotor -> {
            SecretStore store = rotor.store(target.store());
            SecretValue value = SecretValue.wrap(readValue(store.capabilities().maxValueBytes()));
            try {
                VersionInfo version = store.put(target.path(), value, options);
                out().println(target.format() + ": put version " + version.id() + " (" + Format.stages(version) + ")");
                if (options.stage() == Stage.PENDING) {
                    out().println("CURRENT is unchanged; run 'rotor promote " + target.format() + "' to make it CURRENT");
                }
            } finally {
                value.destroy();
            }
            return ExitCodes.OK;
        });
    }

    private byte[] readValue(int maxBytes) throws IOException {
        // One byte more than allowed tells "too large" apart from "exactly the limit".
        int limit = maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1;
        byte[] bytes;
        String source;
        if (file != null) {
            Path path = env().resolve(file);
            source = "file " + path;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(limit);
            } catch (NoSuchFileException e) {
                throw CliFailure.badInput("--file " + path + ": no such file");
            }
        } else {
            source = "stdin";
            bytes = env().in().readNBytes(limit);
        }
        if (bytes.length == 0) {
            throw CliFailure.badInput("no value: " + source + " is empty (pipe the value into 'rotor put' or use --file)");
        }
        if (bytes.length > maxBytes) {
            Arrays.fill(bytes, (byte) 0);
            throw CliFailure.badInput("the value on " + source + " is larger than the store's limit of " + maxBytes + " bytes");
        }
        return bytes;
    }
}
