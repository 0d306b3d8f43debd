package dev.rotor.daemon;

import dev.rotor.SecretRef;
import dev.rotor.api.RunSummary;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The most recent rotation runs of this process, in memory, for the admin API's {@code /v1/runs}:
 * a bounded ring (the oldest run is dropped once {@code capacity} runs are held), built from the
 * engines' events. Holds ids, refs, steps, actors, reasons and error types; never a value.
 *
 * <p>Thread-safe: events arrive on rotation threads, reads on request threads; one lock guards the
 * map and no I/O happens under it.
 */
public final class RunLog implements RotationListener {

    public static final int DEFAULT_CAPACITY = 1000;

    private final int capacity;
    private final LinkedHashMap<String, RunSummary> runs = new LinkedHashMap<>();

    public RunLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    @Override
    public void onEvent(RotationEvent event) {
        SecretRef ref = SecretRef.of(event.store(), event.path());
        synchronized (runs) {
            RunSummary prev = runs.get(event.runId());
            RunSummary next = switch (event) {
                case RotationEvent.Started s -> new RunSummary(s.runId(), ref, "running", s.emergency(), s.actor(), s.reason(), s.time(),
                        null, s.resumedAt() == null ? null : s.resumedAt().name(), null);
                // After promotion an emergency run still retires the old version: it stays succeeded.
                case RotationEvent.StepCompleted s -> with(event.runId(), prev, ref, s.time(), prev == null ? "running" : prev.outcome(),
                        prev == null ? null : prev.ended(), s.step().name(), prev == null ? null : prev.message());
                case RotationEvent.Succeeded s -> with(event.runId(), prev, ref, s.time(), "succeeded", s.time(), null, null);
                case RotationEvent.Failed f -> with(event.runId(), prev, ref, f.time(), "failed", f.time(), f.step().name(), f.error());
                case RotationEvent.RolledBack r -> with(event.runId(), prev, ref, r.time(), "rolled_back", r.time(), r.step().name(), r.why());
                // A Retired event in a run that promoted (an emergency) keeps that run's outcome.
                case RotationEvent.Retired r -> prev != null ? prev
                        : new RunSummary(r.runId(), ref, "retired", false, "rotor", null, r.time(), r.time(), "RETIRE", r.why());
            };
            runs.remove(event.runId());
            runs.put(event.runId(), next);
            Iterator<String> oldest = runs.keySet().iterator();
            while (runs.size() > capacity) {
                oldest.next();
                oldest.remove();
            }
        }
    }

    private static RunSummary with(String runId, @Nullable RunSummary prev, SecretRef ref, Instant time, String outcome, @Nullable Instant ended,
            @Nullable String step, @Nullable String message) {
        if (prev == null) {
            // The start was not seen (a listener added late, or dropped from the ring).
            return new RunSummary(runId, ref, outcome, false, "unknown", null, time, ended, step, message);
        }
        return new RunSummary(prev.runId(), ref, outcome, prev.emergency(), prev.actor(), prev.reason(), prev.started(), ended,
                step == null ? prev.step() : step, message);
    }

    /** The newest runs first, at most {@code limit}. */
    public List<RunSummary> recent(int limit) {
        List<RunSummary> all;
        synchronized (runs) {
            all = new ArrayList<>(runs.values());
        }
        List<RunSummary> out = new ArrayList<>(Math.min(limit, all.size()));
        for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
            out.add(all.get(i));
        }
        return out;
    }
}
