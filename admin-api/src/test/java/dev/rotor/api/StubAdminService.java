package dev.rotor.api;

import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.audit.AuditContext;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's side of the API, as a test stand-in: it knows one managed secret
 * ({@code secret://main/app/db}) and records every rotation asked of it with the audit caller
 * that was current. A test can make it throw.
 */
class StubAdminService implements AdminService {

    static final SecretRef MANAGED = SecretRef.of("main", "app/db");

    record Call(SecretRef ref, RotationRequest request, AuditContext.@Nullable Caller caller) {}

    final List<Call> rotations = new CopyOnWriteArrayList<>();
    volatile @Nullable RuntimeException failWith;
    volatile @Nullable String jwks = "{\"keys\":[]}";

    @Override
    public HealthReport health() {
        return HealthReport.ok();
    }

    @Override
    public HealthReport readiness() {
        return new HealthReport(true, java.util.Map.of("store:main", "up"));
    }

    @Override
    public List<SecretSummary> secrets() {
        throwIfAsked();
        return List.of(new SecretSummary(MANAGED, "app-db", "v2", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-04-01T00:00:00Z"), "ok"));
    }

    @Override
    public List<RunSummary> runs(int limit) {
        throwIfAsked();
        return List.of(new RunSummary("run-1", MANAGED, "succeeded", false, "rotor", "scheduled",
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:02Z"), null, null));
    }

    @Override
    public RotationResult rotate(SecretRef ref, RotationRequest request) {
        throwIfAsked();
        rotations.add(new Call(ref, request, AuditContext.current()));
        if (!ref.equals(MANAGED)) {
            throw SecretNotFoundException.of(ref.store(), ref.path());
        }
        return new RotationResult.Succeeded("run-" + rotations.size(), ref.path(), "v1", "v2", request.emergency(), false,
                request.emergency(), Duration.ofMillis(12));
    }

    @Override
    public Optional<String> jwks() {
        return Optional.ofNullable(jwks);
    }

    private void throwIfAsked() {
        RuntimeException e = failWith;
        if (e != null) {
            throw e;
        }
    }

    static RotationInProgressException inProgress() {
        return new RotationInProgressException(MANAGED, "node-2", Instant.now().plusSeconds(30), "run-9");
    }
}
