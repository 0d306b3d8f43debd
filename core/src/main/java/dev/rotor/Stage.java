package dev.rotor;

/**
 * The three stages that point at versions of a secret, after AWS Secrets Manager's
 * AWSCURRENT/AWSPENDING/AWSPREVIOUS model. Each stage points at zero or one version.
 */
public enum Stage {
    /** The version every plain reader gets. */
    CURRENT,
    /** A version being rolled out by a rotation; never what a plain reader gets. */
    PENDING,
    /** The version that was CURRENT before the last promotion. */
    PREVIOUS;

    /** Lower-case name as used in secret refs ({@code ?stage=current}). */
    public String refName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
