package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.SecretValue;
import dev.rotor.vault.ValueCodec.Encoded;
import dev.rotor.vault.ValueCodec.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How values are laid out as KV data, and that every layout gives the exact bytes back. */
class ValueCodecTest {

    /** What Vault hands back: the same data, keys sorted, compact. */
    private static ObjectNode throughVault(ObjectNode live) throws Exception {
        return (ObjectNode) VaultClient.JSON.readTree(VaultClient.JSON.writeValueAsBytes(ValueCodec.asVaultReturnsIt(live)));
    }

    private static byte[] roundTrip(byte[] bytes) throws Exception {
        Encoded e = ValueCodec.encode(bytes);
        byte[] back = ValueCodec.decode(throughVault(e.live()), e.encoding(), e.exact(), e.fields());
        return back != null ? back : ValueCodec.fromCopyDocument(throughVault(ValueCodec.copyDocument(bytes)));
    }

    @Test
    void aJsonObjectBecomesTheSecretsFieldsAndComesBackExactlyInItsOwnOrder() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("username", "app");
        fields.put("password", "p\"w<>&é🔐");
        byte[] bytes = SecretValue.ofFields(fields).bytes();

        Encoded e = ValueCodec.encode(bytes);

        assertThat(e.encoding()).isEqualTo(Encoding.JSON);
        assertThat(e.exact()).isTrue();
        assertThat(e.fields()).containsExactly("username", "password");
        assertThat(e.live().path("password").asText()).isEqualTo("p\"w<>&é🔐");
        assertThat(roundTrip(bytes)).containsExactly(bytes);
    }

    @Test
    void jsonThatVaultWouldReformatIsStillAJsonObjectButNotExactFromTheFields() throws Exception {
        for (String text : new String[] {"{ \"b\": 1, \"a\": 2 }", "{\"n\":{\"z\":1,\"a\":2}}", "{\"x\":1e5}", "{\"a\":\"\\u00e9\"}", "{\"a\":1,\"a\":2}"}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Encoded e = ValueCodec.encode(bytes);
            assertThat(e.encoding()).as(text).isEqualTo(Encoding.JSON);
            assertThat(e.exact()).as(text).isFalse();
            assertThat(roundTrip(bytes)).as(text).containsExactly(bytes);
        }
    }

    @Test
    void exactNumbersNestedArraysAndSortedNestedObjectsAreExact() throws Exception {
        byte[] bytes = "{\"port\":5432,\"ratio\":1.50,\"hosts\":[\"a\",\"b\"],\"tls\":{\"ca\":\"x\",\"mode\":\"full\"},\"on\":true,\"none\":null}"
                .getBytes(StandardCharsets.UTF_8);

        Encoded e = ValueCodec.encode(bytes);

        assertThat(e.exact()).isTrue();
        assertThat(ValueCodec.decode(throughVault(e.live()), e.encoding(), e.exact(), e.fields())).containsExactly(bytes);
    }

    @Test
    void otherTextIsOneValueField() throws Exception {
        for (String text : new String[] {"plain password", "", "[1,2]", "\"quoted\"", "line1\nline2\ttab", "{not json", "Grüße 東京 🔐"}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Encoded e = ValueCodec.encode(bytes);
            assertThat(e.encoding()).as(text).isEqualTo(Encoding.TEXT);
            assertThat(e.live().path("value").asText()).isEqualTo(text);
            assertThat(roundTrip(bytes)).as(text).containsExactly(bytes);
        }
    }

    @Test
    void bytesThatAreNotPlainTextAreBase64() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        for (byte[] bytes : new byte[][] {all, {(byte) 0xc3}, "a\0b".getBytes(StandardCharsets.UTF_8),
                "\uFEFF{\"a\":1}".getBytes(StandardCharsets.UTF_8), "bell\u0007".getBytes(StandardCharsets.UTF_8)}) {
            Encoded e = ValueCodec.encode(bytes);
            assertThat(e.encoding()).isIn(Encoding.BASE64, Encoding.TEXT);
            assertThat(roundTrip(bytes)).containsExactly(bytes);
        }
        assertThat(ValueCodec.encode(all).encoding()).isEqualTo(Encoding.BASE64);
        assertThat(ValueCodec.encode(all).live().has("value_base64")).isTrue();
    }

    @Test
    void fieldsWrittenByOthersAreNotMistakenForTextOrBase64() throws Exception {
        ObjectNode foreign = (ObjectNode) VaultClient.JSON.readTree("{\"value\":\"x\",\"extra\":\"y\"}");

        assertThat(ValueCodec.decode(foreign, Encoding.TEXT, true, null)).isNull();
        assertThat(ValueCodec.decode(foreign, Encoding.BASE64, true, null)).isNull();
        assertThat(new String(ValueCodec.compact(foreign), StandardCharsets.UTF_8)).isEqualTo("{\"value\":\"x\",\"extra\":\"y\"}");
    }

    @Test
    void toStringShowsNoValue() {
        assertThat(ValueCodec.encode("{\"password\":\"hunter2\"}".getBytes(StandardCharsets.UTF_8)).toString())
                .doesNotContain("hunter2");
    }
}
