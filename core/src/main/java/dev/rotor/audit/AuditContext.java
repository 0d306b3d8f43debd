package dev.rotor.audit;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The caller on whose behalf the current thread acts, for audit records: an actor name and a
 * request id. Set around a unit of work with {@link #callAs}; absent, audit falls back to the
 * store's configured default actor and a fresh request id.
 */
public final class AuditContext {

    /** Who and which request. */
    public record Caller(String actor, String requestId) {
        public Caller {
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    private static final ThreadLocal<@Nullable Caller> CURRENT = new ThreadLocal<>();

    private AuditContext() {}

    public static @Nullable Caller current() {
        return CURRENT.get();
    }

    /** Runs {@code work} as {@code actor} with {@code requestId}, restoring the previous caller after. */
    public static <T> T callAs(String actor, String requestId, Supplier<T> work) {
        Caller previous = CURRENT.get();
        CURRENT.set(new Caller(actor, requestId));
        try {
            return work.get();
        } finally {
            CURRENT.set(previous);
        }
    }

    public static void runAs(String actor, String requestId, Runnable work) {
        callAs(actor, requestId, () -> {
            work.run();
            return null;
        });
    }

    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }
}
