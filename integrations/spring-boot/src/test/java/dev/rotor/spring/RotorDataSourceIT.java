package dev.rotor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.Rotor;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.hikari.RotatingDataSource;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.postgres.AdminCredentials;
import dev.rotor.rotator.postgres.PostgresPasswordRotator;
import dev.rotor.rotator.postgres.PostgresRotatorSettings;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import dev.rotor.watch.SecretWatcher;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A Boot application with auto-configuration whose {@code spring.datasource.username} and
 * {@code password} are {@code secret://} refs, against a real PostgreSQL: the DataSource is a
 * {@link RotatingDataSource} subscribed to the {@link SecretWatcher} bean, and after a rotation
 * by the real {@link RotationEngine} and PostgreSQL rotator it keeps working and new connections
 * log in with the new credential: on the watcher's notice, or on a refused login without one.
 * Every password is a canary.
 */
class RotorDataSourceIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    @TempDir
    Path dir;

    private LocalStoreFixture store;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class JdbcApp {}

    @BeforeEach
    void store() {
        store = new LocalStoreFixture(dir);
    }

    private String loginRole(String prefix, String... grants) {
        String role = prefix + "_" + IDS.incrementAndGet();
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE " + role + " LOGIN");
        PG.setPassword(role, password.text());
        for (String g : grants) {
            PG.admin("GRANT " + g + " TO " + role);
        }
        store.put("db/app", Map.of("username", role, "password", password.text()));
        return role;
    }

    /** Starts the application with these properties on its command line, over the defaults of this test. */
    private ConfigurableApplicationContext start(Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.config.import", "rotor:" + store.rotorYaml());
        properties.put("spring.datasource.url", PG.url());
        properties.put("spring.datasource.username", "secret://main/db/app#username");
        properties.put("spring.datasource.password", "secret://main/db/app#password");
        properties.put("spring.datasource.hikari.maximum-pool-size", "3");
        // The tests make the watcher look now (checkNow) instead of waiting for its next poll.
        properties.put("rotor.watch.poll-interval", "1h");
        properties.putAll(overrides);
        return BootApps.run(JdbcApp.class, properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
    }

    private ConfigurableApplicationContext start() {
        return start(Map.of());
    }

    private RotationEngine engine(SecretStore secrets) {
        return RotationEngine.builder(secrets)
                .options(RotationOptions.defaults().withGracePeriod(Duration.ofDays(1)).withLeaseDuration(Duration.ofMinutes(1)))
                .holder("spring-it-" + IDS.incrementAndGet())
                .build();
    }

    private static PostgresRotatorSettings.Builder settings() {
        return PostgresRotatorSettings.builder().host(PG.host()).port(PG.port()).database("postgres").connectTimeout(Duration.ofSeconds(2));
    }

    private static AdminCredentials admin() {
        return AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, SecretValue.ofUtf8(EmbeddedPostgresPeer.ADMIN_PASSWORD));
    }

    /** The rotated password is a canary too, from the moment it exists. */
    private String rotate(SecretStore secrets, PostgresPasswordRotator rotator) {
        RotationResult result = engine(secrets).rotate("db/app", rotator, RotationRequest.scheduled());
        assertThat(result).isInstanceOf(RotationResult.Succeeded.class);
        Secret current = secrets.get("db/app", Selector.CURRENT);
        leaks.checker().watch(Canary.of(current.value().field("password").asUtf8()));
        return current.version().id();
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String currentUser(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return currentUser(c);
        }
    }

    @Test
    void alternatingRotationNewConnectionsLogInAsTheNewUser() throws Exception {
        String group = "grp_" + IDS.incrementAndGet();
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String first = loginRole("app_a", group);
        String second = "app_b_" + IDS.incrementAndGet();
        PG.admin("CREATE ROLE " + second + " NOLOGIN IN ROLE " + group);

        try (ConfigurableApplicationContext ctx = start();
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings().alternating(first, second).build(), admin())) {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(RotatingDataSource.class);
            RotatingDataSource rotating = (RotatingDataSource) ds;
            assertThat(rotating.credentialsRef().format()).isEqualTo("secret://main/db/app");
            assertThat(currentUser(ds)).isEqualTo(first);
            Connection before = ds.getConnection();

            String version = rotate(ctx.getBean(Rotor.class).store("main"), rotator);
            ctx.getBean(SecretWatcher.class).checkNow();

            assertThat(rotating.credentialVersion()).isEqualTo(version);
            List<Connection> after = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    after.add(ds.getConnection());
                }
                for (Connection c : after) {
                    assertThat(currentUser(c)).as("a connection opened after the rotation").isEqualTo(second);
                }
            } finally {
                for (Connection c : after) {
                    c.close();
                }
            }
            assertThat(currentUser(before)).as("a connection in use during the rotation keeps working").isEqualTo(first);
            before.close();
            assertThat(rotating.toString()).doesNotContain(first + ":");
        }
    }

    @Test
    void singleUserRotationBeforeAnyNoticeTheDataSourceKeepsWorkingWithTheNewPassword() throws Exception {
        String role = loginRole("single");

        try (ConfigurableApplicationContext ctx = start();
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings().singleUser(role).build(), admin())) {
            RotatingDataSource ds = (RotatingDataSource) ctx.getBean(DataSource.class);
            assertThat(currentUser(ds)).isEqualTo(role);
            String before = ds.credentialVersion();

            String version = rotate(ctx.getBean(Rotor.class).store("main"), rotator);
            // Every pooled connection goes; the next login must use the new password (the old one is refused now).
            ds.getHikariPoolMXBean().softEvictConnections();

            assertThat(currentUser(ds)).isEqualTo(role);
            assertThat(ds.credentialVersion()).isEqualTo(version).isNotEqualTo(before);
        }
    }

    @Test
    void credentialsNotFromOneSecretLeaveBootsOwnDataSourceWithTheResolvedValues() throws Exception {
        String role = loginRole("plain");

        try (ConfigurableApplicationContext ctx = start(Map.of("spring.datasource.username", role))) {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(HikariDataSource.class).isNotInstanceOf(RotatingDataSource.class);
            assertThat(currentUser(ds)).isEqualTo(role);
        }
    }

    /** Credentials from a service connection, as Testcontainers would register one; here from other properties. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ServiceConnectionApp {
        @Bean
        JdbcConnectionDetails jdbcConnectionDetails(Environment environment) {
            return new JdbcConnectionDetails() {
                @Override
                public String getUsername() {
                    return environment.getProperty("test.username");
                }

                @Override
                public String getPassword() {
                    return environment.getProperty("test.password");
                }

                @Override
                public String getJdbcUrl() {
                    return PG.url();
                }
            };
        }
    }

    @Test
    void aServiceConnectionTakesPrecedence() throws Exception {
        String role = loginRole("service");

        try (ConfigurableApplicationContext ctx = BootApps.run(ServiceConnectionApp.class,
                "--spring.config.import=rotor:" + store.rotorYaml(), "--spring.datasource.url=" + PG.url(),
                "--spring.datasource.username=secret://main/db/app#username", "--spring.datasource.password=secret://main/db/app#password",
                "--test.username=secret://main/db/app#username", "--test.password=secret://main/db/app#password")) {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(HikariDataSource.class).isNotInstanceOf(RotatingDataSource.class);
            assertThat(currentUser(ds)).isEqualTo(role);
        }
    }
}
