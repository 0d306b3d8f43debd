package dev.rotor.cli;

import dev.rotor.SecretRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rotor list STORE[/PREFIX]}: the paths of the secrets in a store, sorted. */
@Command(name = "list", description = "Prints the paths of the secrets in a store whose path starts with PREFIX, one per line, sorted.")
final class ListCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "STORE[/PREFIX]",
            description = "A store name with an optional path prefix: main, main/db/ or secret://main/db/.")
    String where;

    @Override
    public Integer call() {
        String text = where.startsWith(SecretRef.SCHEME) ? where.substring(SecretRef.SCHEME.length()) : where;
        int slash = text.indexOf('/');
        String store = slash < 0 ? text : text.substring(0, slash);
        String prefix = slash < 0 ? "" : text.substring(slash + 1);
        SecretRef.checkStoreName(store);
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
            if (!ok) {
                throw CliFailure.badInput("prefix '" + prefix + "' has a character not allowed in a path at index " + i
                        + " (allowed: A-Z a-z 0-9 . _ - /)");
            }
        }
        return cli().withRotor(rotor -> {
            for (String path : rotor.store(store).list(prefix)) {
                out().println(path);
            }
            return ExitCodes.OK;
        });
    }
}
