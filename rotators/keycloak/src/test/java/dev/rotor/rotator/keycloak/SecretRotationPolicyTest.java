package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the rotator reads a realm's client policies and profiles (in the JSON form the admin API answers with). */
class SecretRotationPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeycloakAdmin.Client CONFIDENTIAL = new KeycloakAdmin.Client("id", "billing", true, false, false, "client-secret", true);

    private static final String PROFILES = """
            {"profiles":[{"name":"rot","executors":[{"executor":"secret-rotation",
              "configuration":{"expiration-period":"2592000","rotated-expiration-period":"7200","remaining-rotation-period":"864000"}}]},
             {"name":"no-overlap","executors":[{"executor":"secret-rotation","configuration":{"rotated-expiration-period":"0"}}]},
             {"name":"defaults","executors":[{"executor":"secret-rotation","configuration":{}}]},
             {"name":"other","executors":[{"executor":"pkce-enforcer","configuration":{}}]}],
             "globalProfiles":[{"name":"fapi-1-baseline","executors":[{"executor":"secure-client-authenticator"}]}]}
            """;

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode policies(String policy) {
        return json("{\"policies\":[" + policy + "],\"globalPolicies\":[]}");
    }

    @Test
    void findsAnEnabledPolicyForConfidentialClients() {
        var found = SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],
                 "conditions":[{"condition":"client-access-type","configuration":{"type":["confidential"]}}]}
                """), json(PROFILES), CONFIDENTIAL);

        assertThat(found).hasValueSatisfying(p -> {
            assertThat(p.policy()).isEqualTo("p");
            assertThat(p.profile()).isEqualTo("rot");
            assertThat(p.rotatedExpiration()).isEqualTo(Duration.ofHours(2));
            assertThat(p.expiration()).isEqualTo(Duration.ofDays(30));
            assertThat(p.confirmed()).isTrue();
        });
    }

    @Test
    void aDisabledPolicyOrOneWithoutConditionsAppliesToNothing() {
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":false,"profiles":["rot"],"conditions":[{"condition":"any-client","configuration":{}}]}
                """), json(PROFILES), CONFIDENTIAL)).isEmpty();
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],"conditions":[]}
                """), json(PROFILES), CONFIDENTIAL)).isEmpty();
    }

    @Test
    void aConditionThatExcludesTheClientRulesThePolicyOut() {
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],
                 "conditions":[{"condition":"client-access-type","configuration":{"type":["public"]}}]}
                """), json(PROFILES), CONFIDENTIAL)).isEmpty();
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],
                 "conditions":[{"condition":"any-client","configuration":{"is-negative-logic":true}}]}
                """), json(PROFILES), CONFIDENTIAL)).isEmpty();
    }

    @Test
    void negativeLogicTurnsAConditionAround() {
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],
                 "conditions":[{"condition":"client-access-type","configuration":{"type":["public"],"is-negative-logic":true}}]}
                """), json(PROFILES), CONFIDENTIAL)).isPresent();
    }

    @Test
    void conditionsItCannotJudgeAreReportedUnchecked() {
        var found = SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["rot"],
                 "conditions":[{"condition":"any-client","configuration":{}},
                               {"condition":"client-roles","configuration":{"roles":["x"]}}]}
                """), json(PROFILES), CONFIDENTIAL);

        assertThat(found).hasValueSatisfying(p -> {
            assertThat(p.confirmed()).isFalse();
            assertThat(p.uncheckedConditions()).containsExactly("client-roles");
        });
    }

    @Test
    void aConfirmedPolicyWinsOverAnUnconfirmedOne() {
        var found = SecretRotationPolicy.find(policies("""
                {"name":"maybe","enabled":true,"profiles":["rot"],"conditions":[{"condition":"client-scopes","configuration":{}}]},
                {"name":"sure","enabled":true,"profiles":["defaults"],"conditions":[{"condition":"any-client","configuration":{}}]}
                """), json(PROFILES), CONFIDENTIAL);

        assertThat(found).hasValueSatisfying(p -> {
            assertThat(p.policy()).isEqualTo("sure");
            assertThat(p.rotatedExpiration()).isEqualTo(SecretRotationPolicy.DEFAULT_ROTATED_EXPIRATION);
            assertThat(p.expiration()).isEqualTo(SecretRotationPolicy.DEFAULT_EXPIRATION);
        });
    }

    @Test
    void anExecutorThatDropsTheOldSecretAtOnceGivesNoOverlap() {
        assertThat(SecretRotationPolicy.find(policies("""
                {"name":"p","enabled":true,"profiles":["no-overlap","other"],"conditions":[{"condition":"any-client","configuration":{}}]}
                """), json(PROFILES), CONFIDENTIAL)).isEmpty();
    }

    @Test
    void globalPoliciesCount() {
        JsonNode policies = json("""
                {"policies":[],"globalPolicies":[{"name":"g","enabled":true,"profiles":["rot"],
                  "conditions":[{"condition":"any-client","configuration":{}}]}]}
                """);
        assertThat(SecretRotationPolicy.find(policies, json(PROFILES), CONFIDENTIAL)).hasValueSatisfying(p -> assertThat(p.policy()).isEqualTo("g"));
    }

    @Test
    void noPoliciesNoProfiles() {
        assertThat(SecretRotationPolicy.find(json("{}"), json("{}"), CONFIDENTIAL)).isEmpty();
    }
}
