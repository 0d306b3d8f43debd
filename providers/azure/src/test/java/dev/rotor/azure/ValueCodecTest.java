package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

    @Test
    void jsonObjectsAreStoredAsTheirTextMarkedAsJson() {
        SecretValue json = SecretValue.ofFields(Map.of("username", "app", "password", "pw"));

        ValueCodec.Encoded e = ValueCodec.encode(json);

        assertThat(e.contentType()).isEqualTo(ValueCodec.JSON);
        assertThat(e.text()).isEqualTo(json.asUtf8());
        assertThat(ValueCodec.decode(e.text(), e.contentType())).isEqualTo(json);
    }

    @Test
    void textIsStoredAsItIs() {
        SecretValue text = SecretValue.ofUtf8("Grüße 🔐");

        ValueCodec.Encoded e = ValueCodec.encode(text);

        assertThat(e.contentType()).isEqualTo(ValueCodec.TEXT);
        assertThat(e.text()).isEqualTo("Grüße 🔐");
        assertThat(ValueCodec.decode(e.text(), e.contentType())).isEqualTo(text);
    }

    @Test
    void bytesThatAreNotUtf8AreStoredBase64AndMarked() {
        byte[] bytes = {(byte) 0xff, 0, (byte) 0xc3, 0x28};

        ValueCodec.Encoded e = ValueCodec.encode(SecretValue.of(bytes));

        assertThat(e.contentType()).isEqualTo(ValueCodec.BASE64);
        assertThat(e.text()).isEqualTo("/wDDKA==");
        assertThat(ValueCodec.decode(e.text(), e.contentType()).bytes()).containsExactly(bytes);
        assertThat(ValueCodec.decode(e.text(), "Application/Octet-Stream;Encoding=Base64").bytes()).containsExactly(bytes);
    }

    @Test
    void foreignValuesAreReadAsUtf8Text() {
        assertThat(ValueCodec.decode("plain", null).asUtf8()).isEqualTo("plain");
        assertThat(ValueCodec.decode("plain", "text/whatever").asUtf8()).isEqualTo("plain");
        assertThat(ValueCodec.decode(null, null).length()).isZero();
        assertThat(ValueCodec.decode("not base64 !", ValueCodec.BASE64).bytes())
                .containsExactly("not base64 !".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodedToStringHidesTheValue() {
        assertThat(ValueCodec.encode(SecretValue.ofUtf8("hidden-canary")).toString()).doesNotContain("hidden-canary");
    }

    @Test
    void base64LengthIsFourPerThreeBytesRoundedUp() {
        assertThat(ValueCodec.base64Length(AzureSecretStore.MAX_BINARY_VALUE_BYTES)).isEqualTo(AzureSecretStore.MAX_VALUE_BYTES);
        assertThat(ValueCodec.base64Length(AzureSecretStore.MAX_BINARY_VALUE_BYTES + 1)).isGreaterThan(AzureSecretStore.MAX_VALUE_BYTES);
    }
}
