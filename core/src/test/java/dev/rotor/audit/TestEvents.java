package dev.rotor.audit;

import java.time.Instant;

/** Audit events for tests: distinct, with every field set or deliberately absent. */
final class TestEvents {

    static final Instant T0 = Instant.parse("2025-05-01T10:15:30.123456789Z");

    private TestEvents() {}

    /** Event {@code i}: fields derived from i, optional fields set on even i and absent on odd i. */
    static AuditEvent event(int i) {
        Instant time = T0.plusMillis(i);
        boolean full = i % 2 == 0;
        return new AuditEvent(time, "actor-" + i, AuditAction.values()[i % AuditAction.values().length], "main",
                "db/app-" + i, full ? "v" + i : null, full ? "stage=current" : null,
                AuditOutcome.values()[i % AuditOutcome.values().length], "req-" + i, full ? "detail " + i : null,
                1 + i % 3, full ? time.minusSeconds(5) : time);
    }
}
