package dev.rotor.cli;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConflictException;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.RotorException;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.StoreIntegrityException;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.UnresolvedRef.Reason;
import dev.rotor.rotation.RotationInProgressException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Set;

/** The exit codes of {@code rotor}, and which failure gives which. Documented in docs/cli.md and {@code rotor --help}. */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int CONFIGURATION = 5;
    static final int INTEGRITY = 6;
    static final int AUDIT_INVALID = 7;
    static final int ROTATION_FAILED = 8;
    /** {@code exec}: the command exists but cannot be run (as for env(1) and shells). */
    static final int CANNOT_RUN = 126;
    /** {@code exec}: the command was not found. */
    static final int COMMAND_NOT_FOUND = 127;

    /** For picocli's {@code exitCodeList}: "code:description". */
    static final String[] HELP = {
        "0:success",
        "1:failure (backend unavailable, audit not writable, I/O error, ...)",
        "2:usage or bad input (unknown option, malformed ref, no value given)",
        "3:not found (secret, version, stage or #field)",
        "4:conflict (a stage moved concurrently, or another run holds the secret; retry)",
        "5:configuration (invalid rotor.yaml, unknown store, missing or wrong key, access denied)",
        "6:integrity (corrupt or tampered store data)",
        "7:audit verification failed",
        "8:a rotation failed (rotate, rotate --due, rotate --selector)",
        "126:exec: the command cannot be run",
        "127:exec: the command was not found",
        "*:exec: once the command started, its own exit code (128+N if signal N ended it)",
    };

    private ExitCodes() {}

    static int of(Throwable failure) {
        return switch (failure) {
            case CliFailure f -> f.exitCode();
            case SecretResolutionException e -> unresolved(e);
            case InvalidSecretRefException e -> USAGE;
            case SecretNotFoundException e -> NOT_FOUND;
            case SecretFieldException e -> NOT_FOUND;
            case ConflictException e -> CONFLICT;
            case RotationInProgressException e -> CONFLICT;
            case InvalidConfigurationException e -> CONFIGURATION;
            case AccessDeniedException e -> CONFIGURATION;
            case StoreIntegrityException e -> INTEGRITY;
            case IllegalArgumentException e -> USAGE;
            default -> FAILURE;
        };
    }

    /**
     * For refs that did not resolve, the code of the most basic thing to fix: a malformed ref
     * (2), then the configuration or permissions (5), then a failing store (1), then a missing
     * secret or field (3).
     */
    private static int unresolved(SecretResolutionException e) {
        Set<Reason> reasons = EnumSet.noneOf(Reason.class);
        e.unresolved().forEach(u -> reasons.add(u.reason()));
        if (reasons.contains(Reason.INVALID_REF)) {
            return USAGE;
        }
        if (reasons.contains(Reason.UNKNOWN_STORE) || reasons.contains(Reason.ACCESS_DENIED)) {
            return CONFIGURATION;
        }
        if (reasons.contains(Reason.STORE_UNAVAILABLE) || reasons.contains(Reason.FAILED)) {
            return FAILURE;
        }
        return NOT_FOUND;
    }

    /**
     * The one-line message for a failure. Rotor's own messages never hold values; for anything
     * else only the type is shown, since a foreign library's message may quote its input.
     */
    static String message(Throwable failure) {
        String message = switch (failure) {
            case CliFailure f -> f.getMessage();
            case RotorException e -> e.getMessage();
            case IllegalArgumentException e -> e.getMessage();
            case IllegalStateException e -> e.getMessage();
            case UncheckedIOException e -> ioMessage(e.getCause());
            case IOException e -> ioMessage(e);
            default -> null;
        };
        if (message == null || message.isBlank()) {
            message = "unexpected " + failure.getClass().getName() + " (run with --verbose for the stack trace)";
        }
        return oneLine(message);
    }

    private static String ioMessage(IOException e) {
        // NIO exceptions carry the file name as their message; say what happened too.
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
