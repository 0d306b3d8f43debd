package dev.rotor.audit;

import java.util.Objects;

/**
 * One problem {@link AuditLogVerifier} found in an audit log.
 *
 * @param line the 1-based line of the log the problem concerns; one past the last line for a
 *     missing tail; 0 when it concerns the checkpoint file as a whole rather than a line
 * @param message what is wrong, starting with {@code line N: } (or {@code checkpoint <file>}) and
 *     saying what most likely happened, e.g.
 *     {@code line 7: seq 8 expected 7 (a line was deleted or moved before it)}
 */
public record AuditProblem(long line, String message) {

    public AuditProblem {
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative");
        }
        Objects.requireNonNull(message, "message");
        if (message.isBlank()) {
            throw new IllegalArgumentException("message must not be blank");
        }
    }

    @Override
    public String toString() {
        return message;
    }
}
