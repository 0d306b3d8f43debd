package dev.rotor;

import java.util.Objects;

/**
 * One problem in a configuration.
 *
 * @param field the path of the bad field, e.g. {@code stores.main.keyFile}
 * @param message what is wrong with it
 */
public record ConfigProblem(String field, String message) {

    public ConfigProblem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
