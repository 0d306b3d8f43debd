package dev.rotor.rotation;

import dev.rotor.VersionInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The state of a rotation run as persisted in the tags of its PENDING version, so that any
 * process can resume the run from the store alone.
 *
 * <p>{@code step} is {@link Step#CREATE} on the version CREATE writes and {@link Step#APPLY} on the
 * copy the engine writes just before it calls {@link Rotator#apply}. That one fact decides
 * recovery: PENDING at CREATE was never applied to the target, so it is discarded; PENDING at
 * APPLY may have reached the target, so the run rolls forward (apply again, verify, promote).
 * The tags stay on the version after it is promoted, which is how a resumed run recognises its
 * own CURRENT and an emergency's pending RETIRE.
 *
 * <p>The tags are kept short (about 160 bytes as JSON) because some stores hold little per
 * version (AWS: about 190 bytes).
 *
 * @param runId the run's id
 * @param step CREATE or APPLY (see above)
 * @param rotatorType the rotator's {@link Rotator#type()}
 * @param started when the run began (to the second)
 * @param emergency whether the run is an emergency rotation
 * @param updated when the version carrying this state was written, if known
 */
public record RunState(String runId, Step step, String rotatorType, Instant started, boolean emergency, @Nullable Instant updated) {

    public static final String TAG_RUN = "rotor.run";
    public static final String TAG_STEP = "rotor.step";
    public static final String TAG_TYPE = "rotor.type";
    public static final String TAG_STARTED = "rotor.t0";
    public static final String TAG_EMERGENCY = "rotor.em";

    public RunState {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(rotatorType, "rotatorType");
        Objects.requireNonNull(started, "started");
        if (step != Step.CREATE && step != Step.APPLY) {
            throw new IllegalArgumentException("a PENDING version records CREATE or APPLY, not " + step);
        }
        started = started.truncatedTo(ChronoUnit.SECONDS);
    }

    public RunState at(Step newStep) {
        return new RunState(runId, newStep, rotatorType, started, emergency, null);
    }

    /** The tags that persist this state. */
    public Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_RUN, runId);
        tags.put(TAG_STEP, step.name());
        tags.put(TAG_TYPE, rotatorType);
        tags.put(TAG_STARTED, started.toString());
        if (emergency) {
            tags.put(TAG_EMERGENCY, "true");
        }
        return tags;
    }

    /** The run state recorded on a version, if it was written by a rotation run. */
    public static Optional<RunState> of(VersionInfo version) {
        Map<String, String> tags = version.tags();
        String runId = tags.get(TAG_RUN);
        String step = tags.get(TAG_STEP);
        String type = tags.get(TAG_TYPE);
        String started = tags.get(TAG_STARTED);
        if (runId == null || step == null || type == null || started == null) {
            return Optional.empty();
        }
        try {
            Step s = Step.valueOf(step);
            if (s != Step.CREATE && s != Step.APPLY) {
                return Optional.empty();
            }
            return Optional.of(new RunState(runId, s, type, Instant.parse(started), "true".equals(tags.get(TAG_EMERGENCY)),
                    version.created()));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
