package dev.rotor.cli;

import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rotor promote REF [--version ID]}: PENDING (or ID) becomes CURRENT, if CURRENT has not moved meanwhile. */
@Command(name = "promote",
        description = {
            "Makes the PENDING version (or --version ID) CURRENT; the old CURRENT becomes PREVIOUS.",
            "The move is a compare-and-set on the CURRENT version read just before: if another writer "
                    + "moved CURRENT meanwhile, nothing changes and the exit code is 4.",
        })
final class PromoteCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "REF", description = "The secret, e.g. secret://main/db/app (no #field or ?stage).")
    String ref;

    @Option(names = "--version", paramLabel = "ID", description = "Promote this version instead of the PENDING one.")
    @Nullable String version;

    // Here --version names a version of the secret, which keeps picocli from adding the standard
    // help options; declare them, with the program version as -V only.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean helpRequested;

    @Option(names = "-V", versionHelp = true, description = "Print version information and exit.")
    boolean versionRequested;

    @Override
    public Integer call() {
        SecretRef target = Refs.whole(ref, "promote");
        if (version != null) {
            SecretRef.checkVersionId(version);
        }
        return cli().withRotor(rotor -> {
            SecretStore store = rotor.store(target.store());
            List<VersionInfo> versions = store.versions(target.path());
            String current = idAt(versions, Stage.CURRENT);
            String promoted = version != null ? version : idAt(versions, Stage.PENDING);
            if (promoted == null) {
                throw SecretNotFoundException.of(target.store(), target.path(), Selector.PENDING);
            }
            if (promoted.equals(current)) {
                out().println(target.format() + ": version " + promoted + " is already CURRENT; nothing moved");
                return ExitCodes.OK;
            }
            store.promote(target.path(), promoted, current);
            out().println(target.format() + ": CURRENT " + (current == null ? "(none)" : current) + " -> " + promoted
                    + (current == null ? "" : "; PREVIOUS is now " + current));
            return ExitCodes.OK;
        });
    }

    private static @Nullable String idAt(List<VersionInfo> versions, Stage stage) {
        for (VersionInfo v : versions) {
            if (v.has(stage)) {
                return v.id();
            }
        }
        return null;
    }
}
