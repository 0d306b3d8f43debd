package dev.rotor.resolve;

import java.util.Objects;

/**
 * One reference that could not be resolved.
 *
 * @param location where the reference was found: a property or variable name, or a path into a
 *     tree such as {@code datasource.password} or {@code servers[1].token}
 * @param ref the reference as written, without any {@code |default:} text
 * @param reason why it failed
 * @param detail what the store or parser said; names refs and paths, never values
 */
public record UnresolvedRef(String location, String ref, Reason reason, String detail) {

    /** Why a reference could not be resolved. */
    public enum Reason {
        /** The text starts like a reference but does not parse, or combines {@code optional:} with a default. */
        INVALID_REF,
        /** No store of that name is configured. */
        UNKNOWN_STORE,
        /** The secret, or the version or stage the reference selects, does not exist. */
        NOT_FOUND,
        /** The value has no such {@code #field}, or is not a JSON object. */
        NO_SUCH_FIELD,
        /** The backend refused the caller. */
        ACCESS_DENIED,
        /** The backend could not be reached or failed. */
        STORE_UNAVAILABLE,
        /** Any other failure, e.g. the audit sink refused the read. */
        FAILED
    }

    public UnresolvedRef {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return location + " = " + ref + ": " + reason + " (" + detail + ")";
    }
}
