package dev.rotor.rotator.keycloak;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a {@link KeycloakClientSecretRotator} keeps the old secret working while consumers move to
 * the new one.
 */
public enum KeycloakStrategy {

    /**
     * Keycloak's own client-secret rotation policy keeps the old secret valid as the client's
     * "rotated" secret for the policy's grace period; RETIRE invalidates it. One client. Needs the
     * server feature {@code client-secret-rotation} and a realm client policy whose profile holds a
     * {@code secret-rotation} executor.
     */
    DUAL_SECRET("dual-secret"),

    /**
     * Two clients with the same roles and scopes take turns: a rotation sets a new secret on the
     * idle one and the secret's {@code clientId} switches to it; the other client's secret stays
     * valid until RETIRE or the next rotation.
     */
    ALTERNATING("alternating"),

    /**
     * {@link #DUAL_SECRET} when the realm has the rotation policy configured (read at PREPARE),
     * else {@link #ALTERNATING} when two clients are configured; with one client and no policy
     * the rotation fails at PREPARE.
     */
    AUTO("auto");

    private final String configName;

    KeycloakStrategy(String configName) {
        this.configName = configName;
    }

    /** The name used in settings: {@code dual-secret}, {@code alternating} or {@code auto}. */
    public String configName() {
        return configName;
    }

    /** The strategy named {@code name} in settings (case-insensitive), if there is one. */
    public static Optional<KeycloakStrategy> parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.configName.equals(n)).findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
