package dev.rotor.testkit;

import dev.rotor.SecretValue;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A unique, recognisable stand-in for a secret value: {@code "canary-"} followed by 24 random
 * letters and digits. Tests store a canary as a secret and then check, with {@link LeakChecker},
 * that it shows up nowhere it should not: not as text, and not as the base64 or hex encoding of
 * its bytes.
 *
 * <p>The alphabet survives JSON, URL and shell quoting unchanged, so an escaped copy is still
 * found. {@link #toString()} shows only the start of the canary, so that printing the object
 * in a test does not itself count as a leak.
 *
 * <p>Immutable and thread-safe.
 */
public final class Canary {

    /** The fixed start of every canary's text. */
    public static final String PREFIX = "canary-";

    private static final int RANDOM_CHARS = 24;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String text;
    private final List<Form> forms;

    private Canary(String text) {
        this.text = text;
        this.forms = List.copyOf(formsOf(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A new canary, different from every other one this process makes. */
    public static Canary create() {
        StringBuilder sb = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return new Canary(sb.toString());
    }

    /**
     * A canary made of a text that already exists, such as a credential a rotator generated, so
     * that a test can check it leaked nowhere. The text must be at least 8 characters long (a
     * shorter one would be found by chance).
     */
    public static Canary of(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() < 8) {
            throw new IllegalArgumentException("a canary must be at least 8 characters long");
        }
        return new Canary(text);
    }

    /** The canary's text. */
    public String text() {
        return text;
    }

    /** The UTF-8 bytes of the text (a copy). */
    public byte[] bytes() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A new secret value holding the canary's text. */
    public SecretValue value() {
        return SecretValue.ofUtf8(text);
    }

    /**
     * The texts that betray this canary: the text itself, lower- and upper-case hex of its
     * bytes, and its base64 (standard and URL alphabets, with and without padding) at each of
     * the three byte alignments, so that the canary is found even inside the encoding of a
     * longer value such as a JSON object.
     */
    public List<Form> forms() {
        return forms;
    }

    /** The first form of this canary that occurs in {@code text}, if any. */
    public Optional<Form> findIn(CharSequence haystack) {
        Objects.requireNonNull(haystack, "haystack");
        String s = haystack.toString();
        for (Form f : forms) {
            if (s.contains(f.text())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Shows only the canary's start; see the class comment. */
    @Override
    public String toString() {
        // A made canary may be a real credential: show none of it.
        return text.startsWith(PREFIX) ? "Canary[" + text.substring(0, PREFIX.length() + 4) + "...]" : "Canary[" + text.length() + " chars]";
    }

    /**
     * One way a canary can appear.
     *
     * @param encoding {@code text}, {@code hex}, {@code HEX}, {@code base64} or {@code base64url}
     * @param text what to search for
     */
    public record Form(String encoding, String text) {
        public Form {
            Objects.requireNonNull(encoding, "encoding");
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("a canary form cannot be empty");
            }
        }

        @Override
        public String toString() {
            return encoding;
        }
    }

    private static List<Form> formsOf(byte[] bytes) {
        List<Form> out = new ArrayList<>();
        out.add(new Form("text", new String(bytes, StandardCharsets.UTF_8)));
        out.add(new Form("hex", HexFormat.of().formatHex(bytes)));
        out.add(new Form("HEX", HexFormat.of().withUpperCase().formatHex(bytes)));
        addBase64(out, "base64", Base64.getEncoder().withoutPadding(), bytes);
        addBase64(out, "base64url", Base64.getUrlEncoder().withoutPadding(), bytes);
        return out;
    }

    /*
     * Base64 maps 3 bytes to 4 characters, so the canary's characters depend on where in the
     * encoded value its bytes start. For each of the 3 possible offsets, encode the canary
     * behind that many filler bytes and keep only the characters made from canary bits alone.
     */
    private static void addBase64(List<Form> out, String name, Base64.Encoder encoder, byte[] bytes) {
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + bytes.length];
            System.arraycopy(bytes, 0, shifted, offset, bytes.length);
            String encoded = encoder.encodeToString(shifted);
            int firstBit = 8 * offset;
            int endBit = 8 * shifted.length;
            int from = (firstBit + 5) / 6;
            int to = endBit / 6;
            out.add(new Form(name, encoded.substring(from, to)));
        }
    }
}
