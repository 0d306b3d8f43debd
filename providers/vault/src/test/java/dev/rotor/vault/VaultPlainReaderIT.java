package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a plain reader of Vault sees: a raw {@code GET /v1/<mount>/data/<path>} (what {@code vault kv
 * get} sends) and vault-java-driver's default read, neither going through Rotor. Runs against the
 * fake or a real Vault ({@link VaultFixture}).
 */
class VaultPlainReaderIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static VaultFixture vault;
    private static VaultSecretStore store;
    private static HttpClient http;
    private String p;

    @BeforeAll
    static void open() {
        vault = VaultFixture.create(Clock.systemUTC());
        store = vault.open("plain", Clock.systemUTC());
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void close() {
        store.close();
        vault.close();
        http.close();
    }

    @BeforeEach
    void path() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        p = "plain/" + HexFormat.of().formatHex(b) + "/db";
    }

    /** The latest version's data as a raw HTTP GET returns it, or null on 404. */
    private static JsonNode rawLatest(String rotorPath) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create(vault.address() + "/v1/" + vault.mount() + "/data/" + store.livePath(rotorPath)))
                .header("X-Vault-Token", vault.token()).GET().build();
        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return null;
        }
        assertThat(r.statusCode()).as("GET data of %s", rotorPath).isEqualTo(200);
        return JSON.readTree(r.body()).path("data");
    }

    private static Vault driver() throws Exception {
        return Vault.create(new VaultConfig().address(vault.address()).token(vault.token()).engineVersion(2).build(), 2);
    }

    private static Map<String, String> driverLatest(String rotorPath) throws Exception {
        return driver().logical().read(vault.mount() + "/" + store.livePath(rotorPath)).getData();
    }

    @Test
    void whileAPendingVersionExistsPlainReadersSeeCurrentAndAfterPromoteTheNewValue() throws Exception {
        VersionInfo v1 = store.put(p, SecretValue.ofFields(Map.of("username", "app", "password", "old-password")), PutOptions.current());
        VersionInfo v2 = store.put(p, SecretValue.ofFields(Map.of("username", "app", "password", "new-password")), PutOptions.pending());

        assertThat(rawLatest(p).path("data").path("password").asText()).isEqualTo("old-password");
        assertThat(rawLatest(p).path("data").path("username").asText()).isEqualTo("app");
        assertThat(driverLatest(p)).containsEntry("password", "old-password").containsEntry("username", "app").hasSize(2);
        assertThat(store.get(p, Selector.PENDING).value().field("password").asUtf8()).isEqualTo("new-password");

        store.promote(p, v2.id(), v1.id());

        assertThat(rawLatest(p).path("data").path("password").asText()).isEqualTo("new-password");
        assertThat(driverLatest(p)).containsEntry("password", "new-password");
        assertThat(store.get(p).version().id()).isEqualTo(v2.id());
        assertThat(store.get(p, Selector.PREVIOUS).value().field("password").asUtf8()).isEqualTo("old-password");
    }

    @Test
    void aPendingOnlySecretIsInvisibleToPlainReaders() throws Exception {
        store.put(p, SecretValue.ofUtf8("not yet"), PutOptions.pending());

        assertThat(rawLatest(p)).isNull();
        assertThat(store.list(p)).containsExactly(p);
    }

    @Test
    void textAndBinaryValuesShowAsValueAndValueBase64Fields() throws Exception {
        store.put(p, SecretValue.ofUtf8("just text"), PutOptions.current());
        assertThat(driverLatest(p)).containsExactly(Map.entry("value", "just text"));

        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
        store.put(p, SecretValue.of(binary), PutOptions.current());
        assertThat(Base64.getDecoder().decode(driverLatest(p).get("value_base64"))).containsExactly(binary);
        assertThat(store.get(p).value().bytes()).containsExactly(binary);
    }

    @Test
    void customMetadataNamesTheRotorVersionAndEncodingOfTheLiveValue() throws Exception {
        VersionInfo v = store.put(p, SecretValue.ofFields(Map.of("token", "abc")), PutOptions.current());

        HttpRequest get = HttpRequest.newBuilder(URI.create(vault.address() + "/v1/" + vault.mount() + "/metadata/" + store.livePath(p)))
                .header("X-Vault-Token", vault.token()).GET().build();
        JsonNode custom = JSON.readTree(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).path("data").path("custom_metadata");

        assertThat(custom.path("rotor-version").asText()).isEqualTo(v.id());
        assertThat(custom.path("rotor-encoding").asText()).isEqualTo("json");
    }

    @Test
    void aPlainWriterMakesANewCurrentThatRotorReadsAndCanPromoteAwayFrom() throws Exception {
        VersionInfo v1 = store.put(p, SecretValue.ofFields(Map.of("password", "rotor-wrote")), PutOptions.current());
        driver().logical().write(vault.mount() + "/" + store.livePath(p), Map.of("password", "operator-wrote"));

        var current = store.get(p);
        assertThat(current.value().field("password").asUtf8()).isEqualTo("operator-wrote");
        assertThat(current.version().id()).startsWith("L");
        assertThat(store.get(p, Selector.PREVIOUS).version().id()).isEqualTo(v1.id());
        assertThat(store.versions(p)).extracting(VersionInfo::id).containsExactly(v1.id(), current.version().id());

        VersionInfo v3 = store.put(p, SecretValue.ofFields(Map.of("password", "rotated")), PutOptions.pending());
        store.promote(p, v3.id(), current.version().id());

        assertThat(driverLatest(p)).containsEntry("password", "rotated");
        assertThat(store.get(p, Selector.PREVIOUS).version().id()).isEqualTo(current.version().id());
        assertThat(store.get(p, Selector.PREVIOUS).value().field("password").asUtf8()).isEqualTo("operator-wrote");
    }

    @Test
    void softDeletingTheLatestLiveVersionHidesCurrentFromEveryoneUntilUndeleted() throws Exception {
        store.put(p, SecretValue.ofUtf8("live"), PutOptions.current());
        Vault d = driver();
        String kv = vault.mount() + "/" + store.livePath(p);
        long latest = d.logical().read(kv).getDataMetadata().getVersion();

        d.logical().delete(kv, new int[] {(int) latest});

        assertThat(rawLatest(p)).isNull();
        assertThatThrownBy(() -> store.get(p)).isInstanceOf(SecretNotFoundException.class).hasMessageContaining(p);
        assertThat(store.list(p)).containsExactly(p);

        d.logical().unDelete(kv, new int[] {(int) latest});

        assertThat(store.get(p).value().asUtf8()).isEqualTo("live");
        assertThat(store.get(p).version().stages()).containsExactly(Stage.CURRENT);
    }

    @Test
    void aPlainListShowsTheSecretAndRotorsReservedFolder() throws Exception {
        store.put(p, SecretValue.ofUtf8("x"), PutOptions.current());
        String folder = store.livePath(p).substring(0, store.livePath(p).lastIndexOf('/') + 1);
        String top = store.livePath("a").substring(0, store.livePath("a").length() - 1);

        JsonNode keys = rawList(folder);
        JsonNode topKeys = rawList(top);

        assertThat(keys).extracting(JsonNode::asText).containsExactly("db");
        assertThat(topKeys).extracting(JsonNode::asText).contains("_rotor/", "plain/");
    }

    /** {@code LIST /v1/<mount>/metadata/<folder>}, the method {@code vault kv list} uses. */
    private static JsonNode rawList(String folder) throws Exception {
        HttpRequest list = HttpRequest.newBuilder(URI.create(vault.address() + "/v1/" + vault.mount() + "/metadata/" + folder))
                .header("X-Vault-Token", vault.token()).method("LIST", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r = http.send(list, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("LIST %s", folder).isEqualTo(200);
        return JSON.readTree(r.body()).path("data").path("keys");
    }

    @Test
    void rotorsOwnRecordsLiveUnderTheReservedFolderAndAreNotListed() {
        store.put(p, SecretValue.ofUtf8("x"), PutOptions.current());

        assertThat(store.list("")).doesNotContain("_rotor").allSatisfy(path -> assertThat(path).doesNotStartWith("_rotor/"));
        assertThatThrownBy(() -> store.get("_rotor/state/" + p))
                .isInstanceOf(dev.rotor.InvalidSecretRefException.class)
                .hasMessageContaining("reserved");
        assertThat(List.of(store.list(p).toArray())).containsExactly(p);
    }
}
