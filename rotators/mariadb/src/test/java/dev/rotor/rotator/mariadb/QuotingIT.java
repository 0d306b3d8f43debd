package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.Secret;
import dev.rotor.rotation.RotationContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Account names with a quote and a backslash, rotated in sessions with and without
 * {@code NO_BACKSLASH_ESCAPES}: the literals must name exactly these accounts in both modes.
 */
class QuotingIT extends MariaDbTestSupport {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void oddAccountNamesRotateInBothSqlModes(boolean noBackslashEscapes) throws Exception {
        String quote = account(uniqueUser("o'brien"), "Quote-password-0");
        String backslash = account(uniqueUser("back\\slash"), "Backslash-password-0");
        // A decoy whose name is what a wrongly escaped backslash would turn the other into.
        String decoy = account(backslash.replace("\\", ""), "Decoy-password-0");
        String decoyBefore = server().authenticationString(decoy);
        String url = server().jdbcUrl() + (noBackslashEscapes ? "?sessionVariables=sql_mode=NO_BACKSLASH_ESCAPES" : "");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.ALTERNATING_USERS).jdbcUrl(url).users(quote, backslash));

        if (noBackslashEscapes) {
            try (Connection c = server().adminConnection(); Statement s = c.createStatement()) {
                // The same option in a session of our own, to show the mode really changes.
                s.execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
                try (ResultSet rs = s.executeQuery("SELECT '\\\\'")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("\\\\");
                }
            }
        }

        Secret current = current(quote, "Quote-password-0");
        for (int i = 0; i < 3; i++) {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = pendingOf(rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);
            rotator.verify(ctx, pending);
            rotator.retire(ctx, current, pending);
            assertThat(server().canLogIn(username(pending), password(pending))).isTrue();
            assertThat(server().canLogIn(username(current), password(current))).isTrue();
            current = pending;
        }
        assertThat(username(current)).isEqualTo(backslash);
        // The general log shows the statements as the server got them: in NO_BACKSLASH_ESCAPES
        // mode the backslash went unescaped, otherwise doubled.
        String probe = "ALTER USER " + new Account(backslash, "%").sql(noBackslashEscapes) + "\n";
        assertThat(server().generalLogText()).contains(probe);
        assertThat(server().authenticationString(decoy)).isEqualTo(decoyBefore);
        assertThat(server().canLogIn(decoy, "Decoy-password-0")).isTrue();
    }
}
