package dev.rotor.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.Rotor;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.hikari.RotatingDataSource;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.postgres.AdminCredentials;
import dev.rotor.rotator.postgres.PostgresPasswordRotator;
import dev.rotor.rotator.postgres.PostgresRotatorSettings;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import dev.rotor.watch.SecretWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the example as it ships (its {@code application.yaml}) against a real PostgreSQL and a
 * local store, checks what it resolved, and rotates the database password underneath it.
 */
class InventoryApplicationIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    @TempDir
    Path dir;

    @Test
    void startsWithItsCredentialsFromTheStoreAndKeepsWorkingAcrossARotation() throws Exception {
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE inventory LOGIN");
        PG.setPassword("inventory", password.text());
        MasterKey.generate().writeNew(dir.resolve("master.key"));
        try (LocalSecretStore store = LocalSecretStore.open("main", dir.resolve("store"), MasterKey.read(dir.resolve("master.key")),
                Clock.systemUTC())) {
            store.put("db/app", SecretValue.ofFields(Map.of("username", "inventory", "password", password.text())), PutOptions.current());
        }
        Path rotorYaml = Files.writeString(dir.resolve("rotor.yaml"), """
                stores:
                  main:
                    type: local
                    path: ./store
                    keyFile: ./master.key
                """);

        try (ConfigurableApplicationContext ctx = SpringApplication.run(InventoryApplication.class,
                "--ROTOR_CONFIG=" + rotorYaml, "--DB_URL=" + PG.url(), "--spring.main.banner-mode=off")) {
            InventoryReport report = ctx.getBean(InventoryReport.class);
            assertThat(report.databaseUser()).isEqualTo("inventory");
            assertThat(report.pageSize()).as("the default of a missing secret").isEqualTo(50);
            assertThat(ctx.getEnvironment().containsProperty("inventory.report-webhook")).isFalse();
            RotatingDataSource ds = (RotatingDataSource) ctx.getBean(DataSource.class);

            SecretStore secrets = ctx.getBean(Rotor.class).store("main");
            try (PostgresPasswordRotator rotator = new PostgresPasswordRotator(
                    PostgresRotatorSettings.builder().host(PG.host()).port(PG.port()).database("postgres").singleUser("inventory").build(),
                    AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, SecretValue.ofUtf8(EmbeddedPostgresPeer.ADMIN_PASSWORD)))) {
                RotationResult result = RotationEngine.builder(secrets).build().rotate("db/app", rotator, RotationRequest.scheduled());
                assertThat(result).isInstanceOf(RotationResult.Succeeded.class);
            }
            leaks.checker().watch(Canary.of(secrets.get("db/app", Selector.CURRENT).value().field("password").asUtf8()));
            assertThat(PG.canLogin("inventory", password.text())).as("the old password").isFalse();

            // What the watcher does on its next poll, now: the pool switches and retires the old connections.
            ctx.getBean(SecretWatcher.class).checkNow();
            assertThat(ds.credentialVersion()).isEqualTo(secrets.get("db/app", Selector.CURRENT).version().id());
            assertThat(report.databaseUser()).as("a new connection, with the new password").isEqualTo("inventory");
        }
    }
}
