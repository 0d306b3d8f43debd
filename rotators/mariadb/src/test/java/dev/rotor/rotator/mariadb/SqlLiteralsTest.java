package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlLiteralsTest {

    @Test
    void plainTextIsOnlyWrappedInQuotes() {
        assertThat(SqlLiterals.quote("app_user", false)).isEqualTo("'app_user'");
        assertThat(SqlLiterals.quote("%", true)).isEqualTo("'%'");
        assertThat(SqlLiterals.quote("", false)).isEqualTo("''");
    }

    @Test
    void quotesAreDoubledInBothModes() {
        assertThat(SqlLiterals.quote("o'brien", false)).isEqualTo("'o''brien'");
        assertThat(SqlLiterals.quote("o'brien", true)).isEqualTo("'o''brien'");
        assertThat(SqlLiterals.quote("''", false)).isEqualTo("''''''");
    }

    @Test
    void backslashesAreDoubledOnlyWhenTheyEscape() {
        assertThat(SqlLiterals.quote("a\\b", false)).isEqualTo("'a\\\\b'");
        assertThat(SqlLiterals.quote("a\\b", true)).isEqualTo("'a\\b'");
    }

    @Test
    void aBackslashBeforeAQuoteCannotEscapeTheClosingQuote() {
        // Input  x\'   must not end the literal early: \ doubled, ' doubled.
        assertThat(SqlLiterals.quote("x\\'", false)).isEqualTo("'x\\\\'''");
        // With NO_BACKSLASH_ESCAPES the backslash is ordinary and only the quote doubles.
        assertThat(SqlLiterals.quote("x\\'", true)).isEqualTo("'x\\'''");
    }

    @Test
    void nulIsRefused() {
        assertThatThrownBy(() -> SqlLiterals.quote("a\0b", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void readsNoBackslashEscapesFromTheSqlMode() {
        assertThat(SqlLiterals.noBackslashEscapes("STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION")).isTrue();
        assertThat(SqlLiterals.noBackslashEscapes("no_backslash_escapes")).isTrue();
        assertThat(SqlLiterals.noBackslashEscapes("STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION")).isFalse();
        assertThat(SqlLiterals.noBackslashEscapes("")).isFalse();
    }
}
