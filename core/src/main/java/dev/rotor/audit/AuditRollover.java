package dev.rotor.audit;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * When {@link JsonlAuditSink} starts a new file. The current file is renamed to
 * {@code <file>.<first seq in it>} and a new, empty {@code <file>} takes its place; the chain goes
 * on across the files (the first line of the new file links to the last line of the old one).
 *
 * @param maxBytes roll over before a batch once the file has reached this size; 0 for no limit
 * @param daily roll over before the first batch of a new day (in {@code zone})
 * @param zone the time zone whose midnight starts a new day
 */
public record AuditRollover(long maxBytes, boolean daily, ZoneId zone) {

    /** Never roll over: one file grows for ever. */
    public static final AuditRollover NEVER = new AuditRollover(0, false, ZoneOffset.UTC);

    /** Files smaller than this would mostly hold checkpoint churn; a smaller limit is a mistake. */
    public static final long MIN_BYTES = 64 * 1024;

    public AuditRollover {
        List<ConfigProblem> problems = new ArrayList<>();
        if (maxBytes != 0 && maxBytes < MIN_BYTES) {
            problems.add(new ConfigProblem("rollover.maxSize", "must be at least " + MIN_BYTES + " bytes, or 0 for no limit"));
        }
        if (zone == null) {
            problems.add(new ConfigProblem("rollover.zone", "is required"));
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** Roll over at {@code maxBytes} and/or every day at midnight UTC. */
    public static AuditRollover of(long maxBytes, boolean daily) {
        return new AuditRollover(maxBytes, daily, ZoneOffset.UTC);
    }

    /** Whether this ever rolls over. */
    public boolean enabled() {
        return maxBytes > 0 || daily;
    }
}
