package dev.rotor.rotator.postgres;

import static dev.rotor.rotator.postgres.PostgresTestSettings.adminCredentials;
import static dev.rotor.rotator.postgres.PostgresTestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.ForwardingRotator;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.RecordingAuditSink;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link PostgresPasswordRotator} driven by the {@link RotationEngine} against a real PostgreSQL:
 * three rotations in a row per strategy with what PREVIOUS promises checked after each, RETIRE
 * after the grace period, emergency rotations, a VERIFY that really fails and is rolled back,
 * and bad input failing at PREPARE with CURRENT untouched. Every password is a canary, and the
 * audit records are checked for them too.
 */
class PostgresRotationEngineIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String PATH = "db/app";

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final SecretStore store = new InMemorySecretStore("mem");
    private final RecordingAuditSink sink = new RecordingAuditSink();
    private final List<AuditEvent> audit = sink.events();
    private final List<PostgresPasswordRotator> rotators = new ArrayList<>();

    @AfterEach
    void close() {
        rotators.forEach(PostgresPasswordRotator::close);
        // The audit records are text too: no credential may be in them.
        audit.forEach(e -> leaks.checker().canaries().forEach(c -> assertThat(c.findIn(e.toString())).isEmpty()));
    }

    private RotationEngine engine(Duration grace) {
        return RotationEngine.builder(store)
                .auditSink(sink)
                .options(RotationOptions.defaults().withGracePeriod(grace).withLeaseDuration(Duration.ofMinutes(1)))
                .holder("test-" + IDS.incrementAndGet())
                .build();
    }

    private PostgresPasswordRotator rotator(PostgresRotatorSettings settings, AdminCredentials admin) {
        PostgresPasswordRotator r = new PostgresPasswordRotator(settings, admin, () -> leaks.canary().value());
        rotators.add(r);
        return r;
    }

    private static String newRole(String prefix) {
        return prefix + "_" + IDS.incrementAndGet();
    }

    /** A login role with a canary password, stored as the secret's CURRENT version. */
    private Login loginRole(String role, String... grants) {
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE " + role + " LOGIN");
        PG.setPassword(role, password.text());
        for (String g : grants) {
            PG.admin("GRANT " + g + " TO " + role);
        }
        return new Login(role, password.value());
    }

    private void storeCurrent(Login login) {
        store.put(PATH, SecretValue.ofFields(Map.of("username", login.username(), "password", login.password().asUtf8())),
                PutOptions.current());
    }

    private Login stage(Stage stage) {
        Secret s = store.get(PATH, Selector.stage(stage));
        return new Login(s.value().field("username").asUtf8(), s.value().field("password"));
    }

    private static boolean works(Login login) {
        return PG.canLogin(login.username(), login.password().asUtf8());
    }

    private boolean hasPending() {
        try {
            store.get(PATH, Selector.PENDING);
            return true;
        } catch (SecretNotFoundException e) {
            return false;
        }
    }

    private String currentVersion() {
        return store.get(PATH, Selector.CURRENT).version().id();
    }

    private List<AuditAction> actions() {
        return audit.stream().map(AuditEvent::action).toList();
    }

    private String alternatingPair(String[] roles) {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        roles[0] = newRole("app_a");
        roles[1] = newRole("app_b");
        storeCurrent(loginRole(roles[0], group));
        PG.admin("CREATE ROLE " + roles[1] + " NOLOGIN IN ROLE " + group);
        return group;
    }

    // ------------------------------------------------------------ three in a row

    @Test
    void singleUserThreeRotationsPreviousStopsWorkingEachTime() {
        String role = newRole("single");
        storeCurrent(loginRole(role));
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminCredentials());
        RotationEngine engine = engine(Duration.ofDays(1));

        for (int i = 1; i <= 3; i++) {
            String before = currentVersion();
            RotationResult result = engine.rotate(PATH, r, RotationRequest.scheduled());

            assertThat(result).as("rotation %d", i).isInstanceOfSatisfying(RotationResult.Succeeded.class,
                    s -> assertThat(s.previousVersionId()).isEqualTo(before));
            assertThat(stage(Stage.CURRENT).username()).isEqualTo(role);
            assertThat(works(stage(Stage.CURRENT))).as("CURRENT after rotation %d", i).isTrue();
            assertThat(works(stage(Stage.PREVIOUS))).as("PREVIOUS after rotation %d", i).isFalse();
            assertThat(hasPending()).isFalse();
        }
        assertThat(actions()).filteredOn(a -> a == AuditAction.ROTATION_SUCCEEDED).hasSize(3);
    }

    @Test
    void alternatingThreeRotationsPreviousWorksUntilTheNextRotation() {
        String[] roles = new String[2];
        alternatingPair(roles);
        PostgresPasswordRotator r = rotator(settings(PG).alternating(roles[0], roles[1]).build(), adminCredentials());
        RotationEngine engine = engine(Duration.ofDays(1));
        Login older = null;

        for (int i = 1; i <= 3; i++) {
            RotationResult result = engine.rotate(PATH, r, RotationRequest.scheduled());

            assertThat(result).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);
            Login current = stage(Stage.CURRENT);
            Login previous = stage(Stage.PREVIOUS);
            assertThat(current.username()).isEqualTo(roles[i % 2]);
            assertThat(previous.username()).isEqualTo(roles[(i + 1) % 2]);
            assertThat(works(current)).as("CURRENT after rotation %d", i).isTrue();
            assertThat(works(previous)).as("PREVIOUS after rotation %d", i).isTrue();
            if (older != null) {
                assertThat(works(older)).as("the credential before PREVIOUS, after rotation %d", i).isFalse();
            }
            assertThat(hasPending()).isFalse();
            older = previous;
        }
    }

    @Test
    void alternatingRetireAfterTheGracePeriodLocksThePreviousRoleOut() {
        String[] roles = new String[2];
        alternatingPair(roles);
        PostgresPasswordRotator r = rotator(settings(PG).alternating(roles[0], roles[1]).build(), adminCredentials());
        RotationEngine engine = engine(Duration.ZERO);
        engine.rotate(PATH, r, RotationRequest.scheduled());
        Login previous = stage(Stage.PREVIOUS);
        assertThat(works(previous)).isTrue();

        RotationResult result = engine.retireDue(PATH, r);

        assertThat(result).isInstanceOf(RotationResult.Retired.class);
        assertThat(works(previous)).isFalse();
        assertThat(PG.canLoginAttribute(previous.username())).isFalse();
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(actions()).contains(AuditAction.ROTATION_RETIRED);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void emergencyRevokesThePreviousCredentialAtOnce(Strategy strategy) {
        PostgresRotatorSettings settings;
        if (strategy == Strategy.SINGLE_USER) {
            String role = newRole("single");
            storeCurrent(loginRole(role));
            settings = settings(PG).singleUser(role).build();
        } else {
            String[] roles = new String[2];
            alternatingPair(roles);
            settings = settings(PG).alternating(roles[0], roles[1]).build();
        }
        Login leaked = stage(Stage.CURRENT);
        PostgresPasswordRotator r = rotator(settings, adminCredentials());

        RotationResult result = engine(Duration.ofDays(1)).rotate(PATH, r, RotationRequest.emergency("ops", "password leaked"));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.emergency()).isTrue());
        assertThat(works(leaked)).isFalse();
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(audit).anySatisfy(e -> assertThat(e.detail()).contains("emergency").contains("password leaked"));
    }

    // ------------------------------------------------------------ VERIFY fails for real

    @Test
    void singleUserVerifyFailureRollsTheTargetBackAndCurrentStays() {
        String role = newRole("single");
        storeCurrent(loginRole(role));
        String before = currentVersion();
        Login current = stage(Stage.CURRENT);
        // Someone changes the password between APPLY and VERIFY: the new credential really fails.
        Rotator r = afterApply(rotator(settings(PG).singleUser(role).build(), adminCredentials()),
                pending -> PG.setPassword(role, leaks.canary().text()));

        RotationResult result = engine(Duration.ofDays(1)).rotate(PATH, r, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.VERIFY);
            assertThat(f.rolledBack()).isTrue();
            assertThat(f.currentVersionId()).isEqualTo(before);
        });
        assertThat(currentVersion()).isEqualTo(before);
        assertThat(works(current)).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(actions()).contains(AuditAction.ROTATION_ROLLED_BACK, AuditAction.ROTATION_FAILED);
    }

    @Test
    void alternatingVerifyFailureLocksTheIdleRoleOutAndCurrentStays() {
        String[] roles = new String[2];
        String group = alternatingPair(roles);
        Login current = stage(Stage.CURRENT);
        String before = currentVersion();
        Rotator r = afterApply(rotator(settings(PG).alternating(roles[0], roles[1]).groupRole(group).build(), adminCredentials()),
                pending -> PG.admin("REVOKE " + group + " FROM " + roles[1]));

        RotationResult result = engine(Duration.ofDays(1)).rotate(PATH, r, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.VERIFY);
            assertThat(f.rolledBack()).isTrue();
            assertThat(f.message()).contains("lacks the privileges of group role");
        });
        assertThat(currentVersion()).isEqualTo(before);
        assertThat(works(current)).isTrue();
        assertThat(PG.canLoginAttribute(roles[1])).isFalse();
        assertThat(hasPending()).isFalse();
    }

    // ------------------------------------------------------------ bad input through the engine

    enum BadInput {
        UNREACHABLE, WRONG_ADMIN_PASSWORD, MISSING_ROLE, ADMIN_WITHOUT_PRIVILEGE
    }

    @ParameterizedTest
    @EnumSource(BadInput.class)
    void badInputFailsAtPrepareWithAFailureEventAndCurrentUntouched(BadInput bad) throws Exception {
        String role = newRole("single");
        Login login = loginRole(role);
        storeCurrent(login);
        String before = currentVersion();
        String verifier = PG.verifier(role);
        PostgresRotatorSettings.Builder settings = settings(PG).singleUser(role).connectTimeout(Duration.ofSeconds(1));
        AdminCredentials admin = adminCredentials();
        switch (bad) {
            case UNREACHABLE -> {
                try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    settings.port(socket.getLocalPort());
                }
            }
            case WRONG_ADMIN_PASSWORD -> admin = AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, leaks.canary().value());
            case MISSING_ROLE -> settings.singleUser(newRole("missing"));
            case ADMIN_WITHOUT_PRIVILEGE -> {
                String weak = newRole("weak");
                Canary password = leaks.canary();
                PG.admin("CREATE ROLE " + weak + " LOGIN NOCREATEROLE");
                PG.setPassword(weak, password.text());
                admin = AdminCredentials.of(weak, password.value());
            }
        }
        RotationResult result = engine(Duration.ofDays(1)).rotate(PATH, rotator(settings.build(), admin), RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.rolledBack()).as("nothing left behind").isTrue();
            assertThat(f.currentVersionId()).isEqualTo(before);
        });
        assertThat(audit).filteredOn(e -> e.action() == AuditAction.ROTATION_FAILED)
                .singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("step=PREPARE"));
        assertThat(currentVersion()).isEqualTo(before);
        assertThat(hasPending()).isFalse();
        assertThat(store.versions(PATH)).hasSize(1);
        assertThat(PG.verifier(role)).isEqualTo(verifier);
        assertThat(works(login)).isTrue();
    }

    /** The real rotator, with {@code hook} run after each successful APPLY. */
    private static Rotator afterApply(Rotator delegate, java.util.function.Consumer<Secret> hook) {
        return new ForwardingRotator(delegate) {
            @Override
            public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
                super.apply(context, current, pending);
                hook.accept(pending);
            }
        };
    }
}
