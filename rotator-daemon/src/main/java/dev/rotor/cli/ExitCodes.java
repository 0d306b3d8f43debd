package dev.rotor.cli;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConflictException;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.RotorException;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.StoreIntegrityException;
import dev.rotor.rotation.RotationInProgressException;
import java.io.IOException;
import java.io.UncheckedIOException;

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
    };

    private ExitCodes() {}

    static int of(Throwable failure) {
        return switch (failure) {
            case CliFailure f -> f.exitCode();
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
