package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordGeneratorTest {

    private final PasswordGenerator generator = new PasswordGenerator(new SecureRandom());

    @ParameterizedTest
    @ValueSource(ints = {16, 32, 77, 128})
    void makesPasswordsOfTheAskedLengthFromTheSafeAlphabetWithEveryClass(int length) {
        for (int i = 0; i < 200; i++) {
            String p = generator.generate(length);
            assertThat(p).hasSize(length);
            assertThat(p.chars()).allMatch(c -> PasswordGenerator.ALPHABET.indexOf(c) >= 0);
            assertThat(Character.isLetter(p.charAt(0))).isTrue();
            assertThat(PasswordGenerator.hasEveryClass(p.toCharArray())).isTrue();
        }
    }

    @Test
    void theAlphabetHasNothingThatNeedsQuoting() {
        assertThat(PasswordGenerator.ALPHABET).doesNotContain("'", "\"", "\\", "`", " ", "%", "@", ":", "/", "?", "#", "&", "$", "\0");
        assertThat(PasswordGenerator.ALPHABET).hasSize(66);
    }

    @Test
    void passwordsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(generator.generate(16));
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void everyCharacterOfTheAlphabetTurnsUpAtEveryPosition() {
        // Uniformity check, coarse: over 4000 passwords each symbol shows up at the last
        // position (expected about 60 times each); a generator that fixed one class to a
        // position would miss most symbols there.
        Set<Character> last = new HashSet<>();
        for (int i = 0; i < 4000; i++) {
            String p = generator.generate(16);
            last.add(p.charAt(15));
        }
        assertThat(last).hasSize(PasswordGenerator.ALPHABET.length());
    }

    @Test
    void refusesLengthsOutsideTheRange() {
        assertThatThrownBy(() -> generator.generate(15)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generator.generate(129)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksEachClass() {
        assertThat(PasswordGenerator.hasEveryClass("Ab1-".toCharArray())).isTrue();
        assertThat(PasswordGenerator.hasEveryClass("Ab1x".toCharArray())).isFalse();
        assertThat(PasswordGenerator.hasEveryClass("ab1-".toCharArray())).isFalse();
        assertThat(PasswordGenerator.hasEveryClass("AB1-".toCharArray())).isFalse();
        assertThat(PasswordGenerator.hasEveryClass("Abc-".toCharArray())).isFalse();
    }
}
