package dev.rotor.cli;

import dev.rotor.SecretRef;
import dev.rotor.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rotor versions REF}: every version of a secret, oldest first. */
@Command(name = "versions", description = "Lists every version of a secret, oldest first: id, created, stages and tags.")
final class VersionsCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "REF", description = "The secret, e.g. secret://main/db/app (no #field or ?stage).")
    String ref;

    @Override
    public Integer call() {
        SecretRef target = Refs.whole(ref, "versions");
        return cli().withRotor(rotor -> {
            List<VersionInfo> versions = rotor.store(target.store()).versions(target.path());
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("VERSION", "CREATED", "STAGES", "TAGS"));
            for (VersionInfo v : versions) {
                rows.add(List.of(v.id(), Format.instant(v.created()), Format.stages(v), Format.tags(v.tags())));
            }
            Format.table(rows).forEach(out()::println);
            return ExitCodes.OK;
        });
    }
}
