package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPasswordsTest {

    @Test
    void theAlphabetNeedsNoQuoting() {
        assertThat(RandomPasswords.ALPHABET).hasSize(66).doesNotContain("'", "\"", "\\", "`", " ", "$", "%", "@", ":", "/", "?", "#", "&");
        assertThat(RandomPasswords.ALPHABET.chars().distinct().count()).isEqualTo(66);
    }

    @Test
    void theFirstCharacterComesFromTheGivenSetAndTheOthersFromTheWholeAlphabet() {
        SecureRandom random = new SecureRandom();
        Set<Character> firsts = new HashSet<>();
        Set<Character> others = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            char[] out = new char[20];
            RandomPasswords.fill(out, random, RandomPasswords.LETTERS);
            firsts.add(out[0]);
            for (int j = 1; j < out.length; j++) {
                others.add(out[j]);
            }
        }
        assertThat(firsts).allMatch(c -> RandomPasswords.LETTERS.indexOf(c) >= 0);
        assertThat(firsts).hasSize(RandomPasswords.LETTERS.length());
        assertThat(others).hasSize(RandomPasswords.ALPHABET.length());
    }
}
