package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class SqlRotatorProviderTest {

    record Settings(String host, int port) {}

    record Opened(Settings settings, AdminSource admin, String prefix) {}

    /** Binds host (required) and port; the admin login always comes from a secret. */
    static final class Provider extends SqlRotatorProvider<Settings, Opened> {
        Provider() {
            super("test-password");
        }

        @Override
        protected Bound<Settings> bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
            SettingsReader r = new SettingsReader(prefix, map, problems,
                    new SettingsReader.Rules("must be text", "must be a duration", Pattern.compile("\\d+")));
            r.unknownKeys(java.util.Set.of("host", "port"));
            String host = r.string("host");
            int port = r.integer("port", 5432);
            if (host == null) {
                r.problem("host", "is required");
            }
            return new Bound<>(host == null ? null : new Settings(host, port),
                    new AdminSource(SecretRef.parse("secret://vault/db/admin"), null, null, null));
        }

        @Override
        protected Opened open(String prefix, Settings settings, AdminSource admin, Function<String, @Nullable String> env,
                Function<String, @Nullable SecretStore> stores) {
            return new Opened(settings, admin, prefix);
        }
    }

    private final Provider provider = new Provider();

    @Test
    void validateListsEveryProblemWithoutThrowing() {
        assertThat(provider.validate("p", Map.of("port", "x", "hots", "db")))
                .extracting(p -> p.field() + ": " + p.message())
                .containsExactly("p.hots: unknown setting (known: host, port)", "p.port: must be a whole number", "p.host: is required");
        assertThat(provider.validate("p", Map.of("host", "db"))).isEmpty();
    }

    @Test
    void settingsAndOpenThrowListingEveryProblem() {
        assertThatThrownBy(() -> provider.settings("p", Map.of("port", "x")))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly("p.port", "p.host"));
        assertThatThrownBy(() -> provider.open("p", Map.of("port", "x"), name -> null, name -> null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly("p.port", "p.host"));
    }

    @Test
    void openGivesTheSubclassTheBoundSettingsAndAdminSource() {
        assertThat(provider.type()).isEqualTo("test-password");
        assertThat(provider.settings("p", Map.of("host", "db", "port", 6543))).isEqualTo(new Settings("db", 6543));

        Opened opened = provider.open("p", Map.of("host", "db"), name -> null, name -> null);

        assertThat(opened.settings()).isEqualTo(new Settings("db", 5432));
        assertThat(opened.admin().secret()).isEqualTo(SecretRef.parse("secret://vault/db/admin"));
        assertThat(opened.prefix()).isEqualTo("p");
    }
}
