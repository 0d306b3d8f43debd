package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.SecretValue;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {

    @Test
    void passwordsHaveTheLengthAndOnlyCharactersThatNeedNoQuoting() {
        PasswordGenerator g = new PasswordGenerator(40);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String p = g.generate().asUtf8();
            assertThat(p).hasSize(40);
            assertThat(p.chars()).allMatch(c -> PasswordGenerator.ALPHABET.indexOf(c) >= 0);
            assertThat(p).doesNotContain("'", "\"", "\\", " ", "$", "%", "@", ":");
            assertThat(Character.isLetterOrDigit(p.charAt(0))).as("first character of %s...", p.substring(0, 1)).isTrue();
            seen.add(p);
        }
        assertThat(seen).hasSize(2_000);
    }

    @Test
    void everyCharacterOfTheAlphabetIsUsed() {
        PasswordGenerator g = new PasswordGenerator(128);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            g.generate().asUtf8().chars().forEach(used::add);
        }
        assertThat(used).hasSize(PasswordGenerator.ALPHABET.length());
    }

    @Test
    void lengthIsBounded() {
        assertThatThrownBy(() -> new PasswordGenerator(31)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasswordGenerator(129)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new PasswordGenerator(32).generate().length()).isEqualTo(32);
    }

    @Test
    void theValueIsRedacted() {
        SecretValue v = new PasswordGenerator(32).generate();
        assertThat(v.toString()).doesNotContain(v.asUtf8());
    }
}
