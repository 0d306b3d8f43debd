package dev.rotor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SecretRefTest {

    @Test
    void parsesStorePathFieldAndStage() {
        SecretRef ref = SecretRef.parse("secret://main/db/orders#password?stage=pending");
        assertThat(ref.store()).isEqualTo("main");
        assertThat(ref.path()).isEqualTo("db/orders");
        assertThat(ref.field()).isEqualTo("password");
        assertThat(ref.selector()).isEqualTo(Selector.PENDING);
    }

    @Test
    void defaultsToCurrentWithoutField() {
        SecretRef ref = SecretRef.parse("secret://main/api-key");
        assertThat(ref.field()).isNull();
        assertThat(ref.selector()).isSameAs(Selector.CURRENT);
    }

    @Test
    void acceptsQueryBeforeField() {
        assertThat(SecretRef.parse("secret://main/a?version=v-7#user"))
                .isEqualTo(new SecretRef("main", "a", "user", Selector.version("v-7")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "secret://main/a",
        "secret://main/a/b.c_d-e",
        "secret://s-1/x#f",
        "secret://s/x?stage=previous",
        "secret://s/x#f?version=42",
    })
    void formatRoundTrips(String text) {
        SecretRef ref = SecretRef.parse(text);
        assertThat(SecretRef.parse(ref.format())).isEqualTo(ref);
        assertThat(ref.format()).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "vault://main/a|0|must start with 'secret://'",
        "secret:///a|9|store name is empty",
        "secret://Main/a|9|store name may hold only a-z",
        "secret://main|13|missing '/<path>'",
        "secret://main/|14|path is empty",
        "secret://main/a//b|16|empty path segment",
        "secret://main/a/../b|16|'.' and '..' are not allowed",
        "secret://main/a b|15|character ' ' is not allowed in a path",
        "secret://main/a#|16|field is empty",
        "secret://main/a#x#y|17|more than one '#field'",
        "secret://main/a?stage=latest|22|unknown stage 'latest'",
        "secret://main/a?stage=current&version=3|29|not both",
        "secret://main/a?color=red|16|unknown query key 'color'",
        "secret://main/a?version=|24|version id is empty",
    })
    void malformedRefsSayWhatAndWhere(String text, int position, String problem) {
        assertThatThrownBy(() -> SecretRef.parse(text))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining(problem)
                .hasMessageContaining("at position " + position)
                .satisfies(e -> assertThat(((InvalidSecretRefException) e).position()).isEqualTo(position));
    }

    @Test
    void rejectsControlCharactersPrintably() {
        assertThatThrownBy(() -> SecretRef.checkPath("a\u0000b"))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining("\\u0000");
    }

    @Test
    void escapesNewlinesSoARefCannotForgeLogLines() {
        assertThatThrownBy(() -> SecretRef.parse("secret://main/a\nFAKE LOG LINE"))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining("a\\u000aFAKE")
                .hasMessageNotContaining("\n");
    }

    @Test
    void rejectsOverlongPath() {
        assertThatThrownBy(() -> SecretRef.checkPath("a".repeat(SecretRef.MAX_PATH_LENGTH + 1)))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining("longer than 512");
    }
}
