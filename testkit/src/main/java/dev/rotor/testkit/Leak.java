package dev.rotor.testkit;

import java.util.Objects;

/**
 * One place where a canary was found.
 *
 * @param source where: {@code System.out}, {@code System.err}, a log event (logger and level) or
 *     a file
 * @param encoding how the canary appeared: {@code text}, {@code hex}, {@code HEX}, {@code base64}
 *     or {@code base64url}
 * @param excerpt the text around the find, on one line, with every canary replaced by
 *     {@code <canary:encoding>}
 */
public record Leak(String source, String encoding, String excerpt) {

    public Leak {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(excerpt, "excerpt");
    }

    @Override
    public String toString() {
        return source + " holds a canary (" + encoding + "): " + excerpt;
    }
}
