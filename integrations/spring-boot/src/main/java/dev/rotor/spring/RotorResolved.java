package dev.rotor.spring;

import java.util.Map;
import java.util.TreeSet;

/** A property source standing in for one whose {@code secret://} references Rotor resolved. */
interface RotorResolved {

    String getName();

    /** The properties that held a reference, by name. */
    Map<String, ResolvedValue> resolvedValues();

    /** Names and refs only: property sources are printed in debug logs and diagnostics. */
    static String describe(RotorResolved source) {
        return source.getClass().getSimpleName() + " {name='" + source.getName() + "', secret refs resolved for "
                + new TreeSet<>(source.resolvedValues().keySet()) + "}";
    }
}
