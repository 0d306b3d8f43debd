package dev.rotor.rotation;

/** The steps of one rotation run, in order. Every step is safe to run twice. */
public enum Step {
    /** Take the secret's lease (one rotation at a time); resume or discard a leftover PENDING. */
    PREPARE,
    /** Generate the new credential and store it as PENDING (idempotent per run id). */
    CREATE,
    /** Set the new credential on the target. */
    APPLY,
    /** Prove the new credential works against the target. */
    VERIFY,
    /** PENDING becomes CURRENT, the old CURRENT becomes PREVIOUS (compare-and-set). */
    PROMOTE,
    /** Tell listeners: caches refresh, consumers restart. */
    NOTIFY,
    /** After the grace period (at once in an emergency): revoke PREVIOUS on the target. */
    RETIRE
}
