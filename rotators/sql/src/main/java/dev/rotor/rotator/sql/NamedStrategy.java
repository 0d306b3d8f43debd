package dev.rotor.rotator.sql;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A rotation strategy with the name settings use for it, such as {@code single-user}. Each
 * rotator has its own enum of strategies; this finds one by name and lists the known names.
 * Implemented by enums (others override {@link #id()}).
 */
public interface NamedStrategy {

    /**
     * The name used in settings: for an enum constant, its name in lower case with {@code -} for
     * {@code _} ({@code SINGLE_USER} is {@code single-user}).
     */
    default String id() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The strategy of {@code type} named {@code id}.
     *
     * @param asWritten the name as the settings gave it, for the message
     * @throws IllegalArgumentException naming {@code asWritten} and the known strategies
     */
    static <E extends Enum<E> & NamedStrategy> E find(Class<E> type, String id, String asWritten) {
        for (E s : type.getEnumConstants()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + asWritten + "' (known: " + known(type) + ")");
    }

    /** The names of every strategy of {@code type}, comma-separated in declaration order. */
    static <E extends Enum<E> & NamedStrategy> String known(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(NamedStrategy::id).collect(Collectors.joining(", "));
    }
}
