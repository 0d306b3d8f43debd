package dev.rotor.resolve;

import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one successful {@link SecretResolver} pass over a configuration: every
 * reference it held, resolved. The input was not touched; {@link #resolved()} builds a new copy
 * with the references replaced.
 *
 * <p>A location is where a reference was found: a property or variable name for flat sources,
 * a path such as {@code datasource.password} or {@code servers[1].token} for trees (a key
 * holding {@code .}, {@code [} or {@code ]} is written {@code [key]}).
 *
 * <p>Values come out only on request ({@link #value}, {@link #chars}, {@link #string},
 * {@link #resolved()}); {@link #toString()} shows locations, refs and where each value came
 * from, never a value. {@link #destroy()} zeroes every value held here.
 *
 * <p>Thread-safe for reading; {@link #destroy()} should come after the last read.
 *
 * @param <T> the kind of configuration resolved: {@code Properties}, {@code Map} or {@code JsonNode}
 */
public final class Resolution<T> {

    /** Where a location's value came from. */
    public enum Source {
        /** Read from a store. */
        SECRET,
        /** The secret or field was missing and the reference's {@code |default:} text was used. */
        DEFAULT,
        /** The secret or field was missing and the reference was {@code optional:}; the location is left out. */
        ABSENT
    }

    /** One resolved location; {@code value} is null exactly when the source is {@link Source#ABSENT}. */
    record Entry(SecretRef ref, Source source, @Nullable SecretValue value) {
        @Override
        public String toString() {
            return ref + " (" + source + ")";
        }
    }

    private final Map<String, Entry> entries;
    private final Function<Map<String, Entry>, T> rebuild;

    Resolution(Map<String, Entry> entries, Function<Map<String, Entry>, T> rebuild) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.rebuild = Objects.requireNonNull(rebuild, "rebuild");
    }

    /**
     * A new copy of the input with every reference replaced by its value as UTF-8 text, and
     * every absent optional one left out (an element of a list becomes null). Call it once and
     * keep the result: each call builds a new copy holding the values as strings.
     */
    public T resolved() {
        return rebuild.apply(entries);
    }

    /** The locations that held a reference, in the order they were found. */
    public Set<String> locations() {
        return entries.keySet();
    }

    /** The reference found at {@code location}. */
    public Optional<SecretRef> ref(String location) {
        return Optional.ofNullable(entries.get(location)).map(Entry::ref);
    }

    /** Where the value at {@code location} came from; empty if no reference was found there. */
    public Optional<Source> source(String location) {
        return Optional.ofNullable(entries.get(location)).map(Entry::source);
    }

    /**
     * The value at {@code location}, as a copy the caller owns (and may {@linkplain SecretValue#destroy() destroy}).
     * Empty if no reference was found there or it was an absent {@code optional:} one.
     */
    public Optional<SecretValue> value(String location) {
        SecretValue v = held(location);
        return v == null ? Optional.empty() : Optional.of(SecretValue.wrap(v.bytes()));
    }

    /**
     * The value at {@code location} decoded from UTF-8 into a new array the caller owns and
     * should zero when done; empty as for {@link #value}.
     *
     * @throws IllegalStateException if the value is not UTF-8 text
     */
    public Optional<char[]> chars(String location) {
        SecretValue v = held(location);
        if (v == null) {
            return Optional.empty();
        }
        byte[] bytes = v.bytes();
        CharBuffer decoded = null;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            char[] out = new char[decoded.remaining()];
            decoded.get(out);
            return Optional.of(out);
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("the value at '" + location + "' is not valid UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (decoded != null && decoded.hasArray()) {
                Arrays.fill(decoded.array(), '\0');
            }
        }
    }

    /** The value at {@code location} as UTF-8 text; empty as for {@link #value}. */
    public Optional<String> string(String location) {
        SecretValue v = held(location);
        return v == null ? Optional.empty() : Optional.of(v.asUtf8());
    }

    /** Zeroes every value held here; later reads fail. Copies already handed out are the caller's. */
    public void destroy() {
        for (Entry e : entries.values()) {
            if (e.value() != null) {
                e.value().destroy();
            }
        }
    }

    private @Nullable SecretValue held(String location) {
        Entry e = entries.get(Objects.requireNonNull(location, "location"));
        return e == null ? null : e.value();
    }

    @Override
    public String toString() {
        return "Resolution" + entries;
    }
}
