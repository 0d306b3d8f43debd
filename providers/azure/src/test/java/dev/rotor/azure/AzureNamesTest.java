package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidSecretRefException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureNamesTest {

    private static final Pattern AZURE_NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    private static final String PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    @ParameterizedTest
    @CsvSource({
        "db/prod/password, db--prod--password",
        "db/prod-eu/Password, db--prod-0eu---password",
        "API_KEY.v2, -a-p-i-2-k-e-y-1v2",
        "a, a",
        "-leading/dash, -0leading--dash",
        "..., -1-1-1",
        "x/.hidden, x---1hidden",
    })
    void documentedExamplesMapAsShown(String path, String name) {
        assertThat(AzureNames.secretName(path)).isEqualTo(name);
        assertThat(AzureNames.pathOf(name)).contains(path);
        assertThat(AzureNames.pendingName(path)).isEqualTo(name + "-9pending");
        assertThat(AzureNames.pathOfPending(name + "-9pending")).contains(path);
    }

    @Test
    void randomPathsRoundTripAndGiveValidLowerCaseAzureNames() {
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            String path = randomPath(random);
            String name;
            try {
                name = AzureNames.secretName(path);
            } catch (InvalidSecretRefException tooLong) {
                assertThat(tooLong.getMessage()).contains("too long");
                continue;
            }
            assertThat(name).matches(AZURE_NAME).isLowerCase();
            assertThat(AzureNames.pendingName(path)).matches(AZURE_NAME);
            assertThat(AzureNames.pathOf(name)).as("reverse of %s", name).contains(path);
            assertThat(AzureNames.pathOf(name.toUpperCase(Locale.ROOT))).as("Azure compares names without case").contains(path);
            assertThat(AzureNames.pathOfPending(name)).isEmpty();
            assertThat(AzureNames.pathOf(name + AzureNames.PENDING_SUFFIX)).as("a PENDING secret is never a path").isEmpty();
        }
    }

    @Test
    void pathsThatDifferOnlyInCaseGetNamesThatDifferIgnoringCase() {
        List<String> paths = List.of("db/Password", "db/password", "DB/password", "Db/PassWord", "db/pASSWORD");
        Set<String> seen = new HashSet<>();
        for (String p : paths) {
            assertThat(seen.add(AzureNames.secretName(p).toLowerCase(Locale.ROOT))).as("name of %s is distinct", p).isTrue();
        }
    }

    @Test
    void pathsThatDifferOnlyInPunctuationGetDistinctNames() {
        List<String> paths = List.of("a-b", "a.b", "a_b", "a/b", "aB", "ab");
        Set<String> seen = new HashSet<>();
        for (String p : paths) {
            assertThat(seen.add(AzureNames.secretName(p))).as("name of %s is distinct", p).isTrue();
        }
    }

    @Test
    void longestPathNameIs118CharactersSoThePendingNameFitsIn127() {
        String fits = "x".repeat(AzureNames.MAX_PATH_NAME_LENGTH);
        assertThat(AzureNames.secretName(fits)).hasSize(118);
        assertThat(AzureNames.pendingName(fits)).hasSize(127);

        String tooLong = "x".repeat(AzureNames.MAX_PATH_NAME_LENGTH + 1);
        assertThatThrownBy(() -> AzureNames.secretName(tooLong))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining(tooLong)
                .hasMessageContaining("too long")
                .hasMessageContaining("119")
                .hasMessageContaining("118");
    }

    @Test
    void escapedCharactersCountTwiceTowardsTheLimit() {
        String sixtyUpper = "A".repeat(60);
        assertThatThrownBy(() -> AzureNames.secretName(sixtyUpper))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining("120 characters");
        assertThat(AzureNames.secretName("A".repeat(59))).hasSize(118);
    }

    @Test
    void invalidPathsAreRejectedLikeAnyStoreDoes() {
        assertThatThrownBy(() -> AzureNames.secretName("a//b")).isInstanceOf(InvalidSecretRefException.class);
        assertThatThrownBy(() -> AzureNames.secretName("with space")).isInstanceOf(InvalidSecretRefException.class);
        assertThatThrownBy(() -> AzureNames.secretName("")).isInstanceOf(InvalidSecretRefException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "a-", "a-3b", "-9pending", "a----b", "--lead", "trail--", "rotor-9health", "has_underscore", "x-9pending-9pending", "''",
    })
    void namesNoPathMapsToAreNotPaths(String name) {
        assertThat(AzureNames.pathOf(name)).isEmpty();
    }

    @Test
    void theHealthProbeNameIsNoPathsName() {
        assertThat(AzureNames.pathOf(AzureNames.HEALTH_PROBE_NAME)).isEmpty();
        assertThat(AzureNames.pathOfPending(AzureNames.HEALTH_PROBE_NAME)).isEmpty();
    }

    private static String randomPath(Random random) {
        int segments = 1 + random.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < segments; s++) {
            if (s > 0) {
                sb.append('/');
            }
            String seg;
            do {
                StringBuilder b = new StringBuilder();
                int len = 1 + random.nextInt(20);
                for (int i = 0; i < len; i++) {
                    b.append(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
                }
                seg = b.toString();
            } while (seg.equals(".") || seg.equals(".."));
            sb.append(seg);
        }
        return sb.toString();
    }
}
