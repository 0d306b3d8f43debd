package dev.rotor.alert;

import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import dev.rotor.rotation.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The rotation rules. A failed run raises {@code rotation failed} keyed by secret and step; a
 * success resolves every such key of the secret, and its overdue condition. An emergency run that
 * finished (promoted, then RETIRE done or failed) raises a CRITICAL {@code emergency rotation
 * executed} with the actor and reason from its {@code Started} event.
 *
 * <p>Thread-safe: runs on the engines' rotation threads; the only state is the emergency runs in
 * progress, in a concurrent map.
 */
final class RotationAlerts implements RotationListener {

    /** Emergency runs seen starting and not yet finished; bounded in case a run's end is never seen. */
    private static final int MAX_TRACKED = 10_000;

    private final Alerting alerting;
    private final Map<String, Emergency> emergencies = new ConcurrentHashMap<>();

    private static final class Emergency {
        final String actor;
        final @Nullable String reason;
        volatile boolean promoted;
        volatile @Nullable String newVersion;
        volatile @Nullable String retiredVersion;

        Emergency(String actor, @Nullable String reason) {
            this.actor = actor;
            this.reason = reason;
        }
    }

    RotationAlerts(Alerting alerting) {
        this.alerting = alerting;
    }

    static String failedKeyPrefix(String ref) {
        return Alert.KIND_ROTATION_FAILED + "|" + ref + "|";
    }

    @Override
    public void onEvent(RotationEvent event) {
        switch (event) {
            case RotationEvent.Started s -> {
                if (s.emergency() && emergencies.size() < MAX_TRACKED) {
                    emergencies.put(s.runId(), new Emergency(s.actor(), s.reason()));
                }
            }
            case RotationEvent.StepCompleted s -> {
                if (s.step() == Step.RETIRE) {
                    Emergency e = emergencies.remove(s.runId());
                    if (e != null) {
                        emergencyExecuted(s, e, null);
                    }
                }
            }
            case RotationEvent.Succeeded s -> {
                Emergency e = emergencies.get(s.runId());
                if (e != null) {
                    e.promoted = true;
                    e.newVersion = s.currentVersionId();
                } else if (s.emergency()) {
                    // Started was not seen (the listener was added late): still tell people.
                    Emergency unknown = new Emergency("unknown", null);
                    unknown.promoted = true;
                    unknown.newVersion = s.currentVersionId();
                    emergencies.put(s.runId(), unknown);
                }
                String ref = s.ref().format();
                alerting.resolvePrefix(failedKeyPrefix(ref));
                alerting.resolve(Alert.KIND_ROTATION_OVERDUE + "|" + ref);
            }
            case RotationEvent.Retired r -> {
                Emergency e = emergencies.get(r.runId());
                if (e != null) {
                    e.retiredVersion = r.retiredVersionId();
                }
            }
            case RotationEvent.Failed f -> {
                Emergency e = emergencies.remove(f.runId());
                if (e != null && e.promoted) {
                    emergencyExecuted(f, e, f.error());
                }
                failed(f, e != null);
            }
            case RotationEvent.RolledBack r -> {
                // Followed by Failed, which carries the alert.
            }
        }
    }

    private void failed(RotationEvent.Failed f, boolean emergency) {
        String ref = f.ref().format();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("step", f.step().name());
        d.put("error", f.error());
        d.put("rolledBack", Boolean.toString(f.rolledBack()));
        d.put("runId", f.runId());
        d.put("rotator", f.rotatorType());
        d.put("currentVersion", String.valueOf(f.currentVersionId()));
        if (f.pendingVersionId() != null) {
            d.put("pendingVersion", f.pendingVersionId());
        }
        if (emergency) {
            d.put("emergency", "true");
        }
        String summary = (emergency ? "emergency " : "") + "rotation of " + ref + " failed at " + f.step()
                + (f.rolledBack() ? " (rolled back; CURRENT unchanged)" : " (the next run rolls forward)");
        alerting.raise(new Alert(failedKeyPrefix(ref) + f.step(), emergency ? Severity.CRITICAL : Severity.WARNING,
                Alert.KIND_ROTATION_FAILED, ref, summary, d, f.time(), false), alerting.routesFor(f.ref()));
    }

    private void emergencyExecuted(RotationEvent event, Emergency e, @Nullable String retireError) {
        String ref = event.ref().format();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("actor", e.actor);
        d.put("reason", e.reason == null ? "none recorded" : e.reason);
        d.put("runId", event.runId());
        d.put("rotator", event.rotatorType());
        d.put("newVersion", String.valueOf(e.newVersion));
        d.put("previousVersion", String.valueOf(event.previousVersionId()));
        if (retireError == null) {
            d.put("previousRetired", e.retiredVersion == null ? "none to retire" : e.retiredVersion);
        } else {
            d.put("previousRetired", "FAILED: " + retireError);
        }
        String summary = "emergency rotation of " + ref + " executed by " + e.actor
                + (retireError == null ? "; old credential revoked" : "; revoking the old credential FAILED");
        alerting.notifyOnce(new Alert(Alert.KIND_EMERGENCY_ROTATION + "|" + ref + "|" + event.runId(), Severity.CRITICAL,
                Alert.KIND_EMERGENCY_ROTATION, ref, summary, d, event.time(), false), alerting.routesFor(event.ref()));
    }
}
