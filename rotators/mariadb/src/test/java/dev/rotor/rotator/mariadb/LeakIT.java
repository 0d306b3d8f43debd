package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rotor.Secret;
import dev.rotor.rotation.RotationContext;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.LeakChecker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Canary passwords through every step and every failure: none may show up in a log line (at any
 * level, the driver's and the pool's included), on the standard streams, in an exception, or in
 * the server's general query log, which records every statement the server receives.
 */
class LeakIT extends MariaDbTestSupport {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    @BeforeEach
    void watchTheServersStatementLog() {
        leaks.watchFile(server().generalLog());
    }

    @Test
    void singleUserStepsAndRollback() {
        Canary old = leaks.canary();
        Canary next = leaks.canary();
        String user = account(uniqueUser("leak"), old.text());
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        RotationContext ctx = context();
        Secret current = current(user, old.text());
        Secret pending = pending(user, next.text());

        rotator.preflight(ctx, current);
        rotator.apply(ctx, current, pending);
        rotator.verify(ctx, pending);
        assertThat(server().canLogIn(user, next.text())).isTrue();
        rotator.rollback(ctx, current, pending);
        assertThat(server().canLogIn(user, old.text())).isTrue();
        rotator.apply(ctx, current, pending);
        rotator.retire(ctx, current, pending);
    }

    @Test
    void alternatingEmergency() {
        Canary blueOld = leaks.canary();
        Canary greenNext = leaks.canary();
        String blue = account(uniqueUser("leak_blue"), blueOld.text());
        String green = account(uniqueUser("leak_green"), "Green-leak-0");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.ALTERNATING_USERS).users(blue, green));
        RotationContext ctx = emergency();
        Secret current = current(blue, blueOld.text());
        Secret pending = pending(green, greenNext.text());

        rotator.preflight(ctx, current);
        rotator.apply(ctx, current, pending);
        rotator.verify(ctx, pending);
        rotator.retire(ctx, current, pending);
        assertThat(server().canLogIn(blue, blueOld.text())).isFalse();
    }

    @Test
    void failuresCarryNoCredential() {
        Canary old = leaks.canary();
        Canary neverApplied = leaks.canary();
        Canary wrongAdmin = leaks.canary();
        String user = account(uniqueUser("leak"), old.text());
        Secret current = current(user, old.text());

        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        assertThatThrownBy(() -> rotator.verify(context(), pending(user, neverApplied.text())))
                .satisfies(e -> assertNoCanaryInTrace(e, old, neverApplied, wrongAdmin));

        MariaDbPasswordRotator badAdmin = rotator(settings(Strategy.SINGLE_USER), new AdminCredentials(MariaDbServer.ADMIN, wrongAdmin.value()));
        assertThatThrownBy(() -> badAdmin.preflight(context(), current))
                .satisfies(e -> assertNoCanaryInTrace(e, old, neverApplied, wrongAdmin));

        // A credential statement that fails on the server: the account is gone by APPLY.
        server().dropAccount(user);
        assertThatThrownBy(() -> rotator.apply(context(), current, pending(user, neverApplied.text())))
                .satisfies(e -> assertNoCanaryInTrace(e, old, neverApplied, wrongAdmin));
        assertThatThrownBy(() -> rotator.rollback(context(), current, pending(user, neverApplied.text())))
                .satisfies(e -> assertNoCanaryInTrace(e, old, neverApplied, wrongAdmin));
    }

    @Test
    void theDriversQueryLogShowsAPlaceholderWhereTheHashGoes() {
        Canary next = leaks.canary();
        String user = account(uniqueUser("leak"), "Old-leak-password-0");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        ListAppender<ILoggingEvent> driverLog = new ListAppender<>();
        Logger driver = (Logger) LoggerFactory.getLogger("org.mariadb.jdbc");
        driverLog.start();
        driver.addAppender(driverLog);
        try {
            rotator.apply(context(), current(user, "Old-leak-password-0"), pending(user, next.text()));
        } finally {
            driver.detachAppender(driverLog);
        }
        List<String> lines = driverLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(l -> l.contains("IDENTIFIED BY PASSWORD ?"));
        assertThat(lines).noneMatch(l -> l.contains(NativePassword.hash(next.text())));
        // The server itself receives only the hash, never the password.
        assertThat(server().generalLogText()).contains(NativePassword.hash(next.text()));
    }

    private static void assertNoCanaryInTrace(Throwable e, Canary... canaries) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        LeakChecker.assertNoCanaryIn("exception", trace.toString(), canaries);
    }
}
