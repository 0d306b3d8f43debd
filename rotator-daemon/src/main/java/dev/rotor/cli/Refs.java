package dev.rotor.cli;

import dev.rotor.SecretRef;
import dev.rotor.Selector;

/** Ref arguments as the commands accept them. */
final class Refs {

    private Refs() {}

    /**
     * Parses a ref argument. Text that does not even start with {@code secret://} is not
     * quoted back: it may be a value typed where the ref belongs.
     */
    static SecretRef parse(String text) {
        if (!SecretRef.looksLikeRef(text)) {
            throw CliFailure.badInput("REF must be a secret ref like secret://<store>/<path>;"
                    + " the argument given does not start with 'secret://' (not shown)");
        }
        return SecretRef.parse(text);
    }

    /** A ref naming a whole secret: no {@code #field}, no {@code ?stage=} or {@code ?version=}. */
    static SecretRef whole(String text, String command) {
        SecretRef ref = parse(text);
        if (ref.field() != null) {
            throw CliFailure.badInput("'rotor " + command + "' works on a whole secret; remove '#" + ref.field() + "' from " + ref.format());
        }
        if (!ref.selector().equals(Selector.CURRENT)) {
            String hint = command.equals("put") && ref.selector().equals(Selector.PENDING) ? " and use --pending" : "";
            throw CliFailure.badInput("'rotor " + command + "' works on a whole secret; remove '?" + ref.selector() + "' from "
                    + ref.format() + hint);
        }
        return ref;
    }
}
