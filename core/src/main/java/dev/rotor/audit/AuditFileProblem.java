package dev.rotor.audit;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem {@link AuditLogVerifier#verifyLog} found in one file of an audit log.
 *
 * @param file the file it concerns: a log file, or the anchor
 * @param line the 1-based line in {@code file}; 0 when it concerns the checkpoint or the anchor as
 *     a whole
 * @param message what is wrong, as in {@link AuditProblem#message()}
 */
public record AuditFileProblem(Path file, long line, String message) {

    public AuditFileProblem {
        Objects.requireNonNull(file, "file");
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative");
        }
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
