package dev.rotor.testkit;

/** What a rotation strategy promises about the credential it replaced (the PREVIOUS version). */
public enum PreviousBehaviour {
    /** It keeps working until the next rotation replaces it (alternating users). */
    VALID_UNTIL_NEXT_ROTATION,
    /** It stops working when the new one is applied (single-user: the password changes in place). */
    INVALID,
    /** It keeps working until RETIRE, after the grace period (overlap: Keycloak rotated secrets, JWKS previous keys). */
    VALID_UNTIL_RETIRE
}
