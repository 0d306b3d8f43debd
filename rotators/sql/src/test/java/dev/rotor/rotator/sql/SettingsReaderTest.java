package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchIllegalArgumentException;

import dev.rotor.ConfigProblem;
import dev.rotor.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

    private static final SettingsReader.Rules RULES = new SettingsReader.Rules("must be text", "must be a duration",
            Pattern.compile("\\d{1,9}"));

    private final List<ConfigProblem> problems = new ArrayList<>();

    private SettingsReader reader(Map<String, ?> map) {
        return new SettingsReader("p", map, problems, RULES);
    }

    private List<String> reported() {
        return problems.stream().map(p -> p.field() + ": " + p.message()).toList();
    }

    @Test
    void valuesOfTheRightTypeAreReadAndAbsentOnesAreNull() {
        SettingsReader r = reader(Map.of("host", "db", "port", 5432, "size", " 7 ", "timeout", "5s", "names", List.of("a", "b")));

        assertThat(r.string("host")).isEqualTo("db");
        assertThat(r.integer("port")).isEqualTo(5432);
        assertThat(r.integer("size")).isEqualTo(7);
        assertThat(r.duration("timeout")).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.strings("names", "must be a list", false)).containsExactly("a", "b");
        assertThat(r.string("absent")).isNull();
        assertThat(r.integer("absent", 3)).isEqualTo(3);
        assertThat(r.duration("absent", Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.strings("absent", "must be a list", false)).isNull();
        assertThat(problems).isEmpty();
    }

    @Test
    void eachValueOfTheWrongTypeIsOneProblemWordedByTheRules() {
        SettingsReader r = reader(Map.of("host", 5, "port", "-1", "big", "1234567890", "timeout", 5, "later", "soon", "admin", "x"));

        assertThat(r.string("host")).isNull();
        assertThat(r.integer("port", 9)).isEqualTo(9);
        assertThat(r.integer("big")).isNull();
        assertThat(r.duration("timeout")).isNull();
        assertThat(r.duration("later")).isNull();
        assertThat(r.map("admin")).isNull();

        assertThat(reported()).containsExactly(
                "p.host: must be text",
                "p.port: must be a whole number",
                "p.big: must be a whole number",
                "p.timeout: must be a duration",
                "p.later: " + failureOf("soon"),
                "p.admin: must be a map");
    }

    @Test
    void aWholeNumberOutsideTheIntRangeIsAProblemEvenIfItsFormIsAllowed() {
        SettingsReader r = new SettingsReader("p", Map.of("n", "99999999999", "m", "-12"), problems,
                new SettingsReader.Rules("must be text", "must be a duration", Pattern.compile("[+-]?\\p{Nd}+")));

        assertThat(r.integer("n")).isNull();
        assertThat(r.integer("m")).isEqualTo(-12);
        assertThat(reported()).containsExactly("p.n: must be a whole number");
    }

    @Test
    void aNullInAListIsLetThroughOnlyWhenAllowed() {
        Map<String, Object> map = new HashMap<>();
        map.put("users", Arrays.asList(null, "b"));
        map.put("roles", Arrays.asList(null, "b"));
        SettingsReader r = reader(map);

        assertThat(r.strings("users", "must be a list of user names", true)).containsExactly(null, "b");
        assertThat(r.strings("roles", "must be a list of role names", false)).isNull();
        assertThat(reported()).containsExactly("p.roles: must be a list of role names");
    }

    @Test
    void unknownKeysAreReportedInSortedOrderWithTheKnownOnes() {
        SettingsReader r = reader(Map.of("zeta", 1, "host", "db", "alpha", 2));

        r.unknownKeys(Set.of("port", "host"));

        assertThat(reported()).containsExactly(
                "p.alpha: unknown setting (known: host, port)",
                "p.zeta: unknown setting (known: host, port)");
    }

    @Test
    void aNestedReaderNamesFieldsUnderItsKey() {
        SettingsReader r = reader(Map.of("admin", Map.of("secret", 7)));

        Map<String, ?> admin = r.map("admin");
        assertThat(admin).isNotNull();
        SettingsReader a = r.nested("admin", admin);
        assertThat(a.string("secret")).isNull();
        a.problem("other", "is wrong");

        assertThat(reported()).containsExactly("p.admin.secret: must be text", "p.admin.other: is wrong");
    }

    /** The parser's own message is passed on: it names the accepted formats. */
    private static String failureOf(String text) {
        return catchIllegalArgumentException(() -> Durations.parse(text)).getMessage();
    }
}
