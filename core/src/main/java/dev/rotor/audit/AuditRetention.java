package dev.rotor.audit;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens to the files {@link JsonlAuditSink} rolled over once they are older than
 * {@code maxAge} (by the time they were last written). The file being written is never touched.
 *
 * @param maxAge how long a rolled-over file stays as it is (default 90 days)
 * @param disposal {@link Disposal#GZIP} compresses it in place, {@link Disposal#DELETE} removes it
 *     after recording its last line in the signed anchor beside the log
 */
public record AuditRetention(Duration maxAge, Disposal disposal) {

    /** What to do with an expired file. */
    public enum Disposal {
        /** Compress to {@code <file>.<seq>.gz}; {@code rotor audit verify} still reads it. */
        GZIP,
        /** Delete it; the anchor ({@code <file>.anchor}) keeps the last seq and hash it held. */
        DELETE
    }

    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(90);

    /** 90 days, then compressed. */
    public static final AuditRetention DEFAULT = new AuditRetention(DEFAULT_MAX_AGE, Disposal.GZIP);

    public AuditRetention {
        List<ConfigProblem> problems = new ArrayList<>();
        if (maxAge == null) {
            problems.add(new ConfigProblem("retention", "is required"));
        } else if (maxAge.isNegative() || maxAge.isZero()) {
            problems.add(new ConfigProblem("retention", "must be positive"));
        }
        if (disposal == null) {
            problems.add(new ConfigProblem("archive", "is required (gzip or delete)"));
        }
        InvalidConfigurationException.throwIfAny(problems);
    }
}
