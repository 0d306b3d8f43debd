package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings against the fake Vault served over HTTPS with a self-signed certificate for 127.0.0.1. */
class VaultTlsIT {

    @TempDir
    static Path dir;

    private static FakeVaultServer fake;
    private static Path caFile;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair kp = gen.generateKeyPair();
        X500Name name = new X500Name("CN=fake-vault");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
            new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", kp.getPrivate(), new char[0], new java.security.cert.Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        fake = FakeVaultServer.start(Clock.systemUTC(), ctx);

        caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    private static VaultSecretStore open(Map<String, Object> tls) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("address", fake.address());
        if (!tls.isEmpty()) {
            settings.put("tls", tls);
        }
        return new VaultStoreProvider().open(new StoreConfig("tls", "vault", settings),
                new StoreContext(Clock.systemUTC(), Map.of("VAULT_TOKEN", fake.rootToken())::get, dir), new ManualScheduler());
    }

    @Test
    void theConfiguredCaCertificateIsTrusted() {
        assertThat(fake.address()).startsWith("https://");
        try (VaultSecretStore store = open(Map.of("caCertFile", caFile.toString()))) {
            store.put("tls/check", SecretValue.ofUtf8("over tls"), PutOptions.current());
            assertThat(store.get("tls/check").value().asUtf8()).isEqualTo("over tls");
            assertThat(store.health().up()).isTrue();
        }
    }

    @Test
    void anUnknownCertificateIsRefusedWithoutTheCaFile() {
        assertThatThrownBy(() -> open(Map.of()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(fake.address());
    }

    @Test
    void verificationCanBeTurnedOffOnlyWhenExplicitlyAllowed() {
        try (VaultSecretStore store = open(Map.of("verify", false, "allowInsecure", true))) {
            assertThat(store.health().up()).isTrue();
        }
        assertThatThrownBy(() -> open(Map.of("verify", false)))
                .isInstanceOf(dev.rotor.InvalidConfigurationException.class)
                .hasMessageContaining("stores.tls.tls.verify");
    }
}
