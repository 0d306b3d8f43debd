package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A realm client policy that makes Keycloak keep a client's old secret valid, as its "rotated"
 * secret, when the secret is regenerated: an enabled policy whose profile holds a
 * {@code secret-rotation} executor with a positive {@code rotated-expiration-period}.
 *
 * <p>Keycloak applies a policy when none of its conditions votes no and at least one votes yes.
 * {@link #find} evaluates the conditions it can judge from the client alone ({@code any-client},
 * {@code client-access-type}); the others (roles, scopes, who updates the client, ...) are listed
 * in {@link #uncheckedConditions()}, and the rotator confirms the policy's effect at APPLY.
 *
 * @param policy the policy's name
 * @param profile the name of the profile holding the executor
 * @param rotatedExpiration how long the old secret stays valid after a regeneration (the overlap)
 * @param expiration how long a secret is valid at all under the policy; rotate more often than this
 * @param uncheckedConditions the policy's conditions that could not be judged here
 */
record SecretRotationPolicy(String policy, String profile, Duration rotatedExpiration, Duration expiration,
        List<String> uncheckedConditions) {

    static final String EXECUTOR = "secret-rotation";
    // Keycloak's defaults when the executor's configuration leaves a period out
    static final Duration DEFAULT_EXPIRATION = Duration.ofDays(30);
    static final Duration DEFAULT_ROTATED_EXPIRATION = Duration.ofDays(2);

    SecretRotationPolicy {
        uncheckedConditions = List.copyOf(uncheckedConditions);
    }

    /** True when every condition of the policy was judged and holds for the client. */
    boolean confirmed() {
        return uncheckedConditions.isEmpty();
    }

    /**
     * The first policy that keeps rotated secrets and may apply to {@code client}, confirmed
     * ones first.
     *
     * @param policies the answer of {@code GET .../client-policies/policies?include-global-policies=true}
     * @param profiles the answer of {@code GET .../client-policies/profiles?include-global-profiles=true}
     */
    static Optional<SecretRotationPolicy> find(JsonNode policies, JsonNode profiles, KeycloakAdmin.Client client) {
        Map<String, JsonNode> executorByProfile = new HashMap<>();
        for (String list : List.of("profiles", "globalProfiles")) {
            for (JsonNode profile : profiles.path(list)) {
                for (JsonNode executor : profile.path("executors")) {
                    if (EXECUTOR.equals(executor.path("executor").asText())) {
                        executorByProfile.putIfAbsent(profile.path("name").asText(), executor.path("configuration"));
                    }
                }
            }
        }
        SecretRotationPolicy unconfirmed = null;
        for (String list : List.of("policies", "globalPolicies")) {
            for (JsonNode policy : policies.path(list)) {
                if (!policy.path("enabled").asBoolean(false)) {
                    continue;
                }
                Optional<List<String>> unchecked = judge(policy.path("conditions"), client);
                if (unchecked.isEmpty()) {
                    continue;
                }
                for (JsonNode profileName : policy.path("profiles")) {
                    JsonNode config = executorByProfile.get(profileName.asText());
                    if (config == null) {
                        continue;
                    }
                    Duration rotated = seconds(config.path("rotated-expiration-period"), DEFAULT_ROTATED_EXPIRATION);
                    if (rotated.isZero() || rotated.isNegative()) {
                        continue; // Keycloak drops the old secret at once: no overlap
                    }
                    SecretRotationPolicy found = new SecretRotationPolicy(policy.path("name").asText(), profileName.asText(), rotated,
                            seconds(config.path("expiration-period"), DEFAULT_EXPIRATION), unchecked.get());
                    if (found.confirmed()) {
                        return Optional.of(found);
                    }
                    if (unconfirmed == null) {
                        unconfirmed = found;
                    }
                }
            }
        }
        return Optional.ofNullable(unconfirmed);
    }

    /**
     * Empty if the conditions exclude the client (a judged condition votes no, or there is no
     * condition at all: Keycloak then applies nothing); else the names of the conditions not judged.
     */
    private static Optional<List<String>> judge(JsonNode conditions, KeycloakAdmin.Client client) {
        if (!conditions.isArray() || conditions.isEmpty()) {
            return Optional.empty();
        }
        List<String> unchecked = new ArrayList<>();
        for (JsonNode condition : conditions) {
            String type = condition.path("condition").asText();
            JsonNode config = condition.path("configuration");
            boolean negate = config.path("is-negative-logic").asBoolean(config.path("is_negative_logic").asBoolean(false));
            Boolean holds = switch (type) {
                case "any-client" -> true;
                case "client-access-type" -> {
                    boolean any = false;
                    for (JsonNode t : config.path("type")) {
                        any |= accessType(client).equals(t.asText());
                    }
                    yield any;
                }
                default -> null;
            };
            if (holds == null) {
                unchecked.add(type);
            } else if (holds == negate) {
                return Optional.empty();
            }
        }
        return Optional.of(unchecked);
    }

    private static String accessType(KeycloakAdmin.Client client) {
        if (client.bearerOnly()) {
            return "bearer-only";
        }
        return client.publicClient() ? "public" : "confidential";
    }

    private static Duration seconds(JsonNode node, Duration absent) {
        if (node.isMissingNode() || node.isNull() || node.asText().isBlank()) {
            return absent;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(node.asText().trim()));
        } catch (NumberFormatException e) {
            return absent;
        }
    }
}
