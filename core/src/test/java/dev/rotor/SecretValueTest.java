package dev.rotor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretValueTest {

    private static final String CANARY = "canary-Zq81mXw04PvLr2Tt";

    @Test
    void toStringNeverShowsTheValue() {
        SecretValue v = SecretValue.ofUtf8(CANARY);
        assertThat(v.toString()).doesNotContain(CANARY).contains("redacted");
        Secret s = new Secret("p", new VersionInfo("1", java.time.Instant.EPOCH, java.util.Set.of(Stage.CURRENT), Map.of()), v);
        assertThat(s.toString()).doesNotContain(CANARY);
    }

    @Test
    void equalityComparesBytesAndHashDoesNotDependOnThem() {
        assertThat(SecretValue.ofUtf8("abc")).isEqualTo(SecretValue.of("abc".getBytes(StandardCharsets.UTF_8)));
        assertThat(SecretValue.ofUtf8("abc")).isNotEqualTo(SecretValue.ofUtf8("abd"));
        assertThat(SecretValue.ofUtf8("abc")).isNotEqualTo(SecretValue.ofUtf8("abcd"));
        assertThat(SecretValue.ofUtf8("abc").hashCode()).isEqualTo(SecretValue.ofUtf8("xyz").hashCode());
    }

    @Test
    void ofCopiesInputAndBytesReturnsACopy() {
        byte[] in = {1, 2, 3};
        SecretValue v = SecretValue.of(in);
        in[0] = 9;
        byte[] out = v.bytes();
        out[1] = 9;
        assertThat(v.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void destroyZeroesAndLaterReadsFail() {
        SecretValue v = SecretValue.ofUtf8(CANARY);
        v.destroy();
        assertThat(v.isDestroyed()).isTrue();
        assertThatThrownBy(v::bytes).isInstanceOf(IllegalStateException.class).hasMessageNotContaining(CANARY);
    }

    @Test
    void sharedViewIgnoresDestroy() {
        SecretValue owner = SecretValue.ofUtf8("x");
        SecretValue shared = owner.shared();
        shared.destroy();
        assertThat(shared.asUtf8()).isEqualTo("x");
        assertThat(shared.shared()).isSameAs(shared);
    }

    @Test
    void fieldExtractsStringsAndJsonOfOtherTypes() {
        SecretValue v = SecretValue.ofUtf8("{\"username\":\"app\",\"password\":\"" + CANARY + "\",\"port\":5432,\"opts\":{\"a\":1}}");
        assertThat(v.field("username").asUtf8()).isEqualTo("app");
        assertThat(v.field("port").asUtf8()).isEqualTo("5432");
        assertThat(v.field("opts").asUtf8()).isEqualTo("{\"a\":1}");
        assertThat(v.isJsonObject()).isTrue();
    }

    @Test
    void fieldErrorsNameTheFieldButNeverTheContent() {
        SecretValue notJson = SecretValue.ofUtf8("{\"password\": " + CANARY);
        assertThatThrownBy(() -> notJson.field("password"))
                .isInstanceOf(SecretFieldException.class)
                .hasMessageContaining("'password'")
                .hasMessageNotContaining(CANARY)
                .hasNoCause();
        SecretValue json = SecretValue.ofFields(Map.of("password", CANARY));
        assertThatThrownBy(() -> json.field("user"))
                .isInstanceOf(SecretFieldException.class)
                .hasMessageContaining("no field 'user'")
                .hasMessageNotContaining(CANARY);
        assertThat(SecretValue.ofUtf8("[1,2]").isJsonObject()).isFalse();
    }

    @Test
    void asUtf8RejectsInvalidText() {
        assertThatThrownBy(() -> SecretValue.of(new byte[] {(byte) 0xff, (byte) 0xfe}).asUtf8())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not valid UTF-8");
    }
}
