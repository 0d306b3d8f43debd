package dev.rotor.config;

import dev.rotor.audit.AuditRetention;
import dev.rotor.audit.AuditRollover;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.HitAudit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code audit:} section of {@code rotor.yaml}.
 *
 * @param file the hash-chained JSON-lines audit file, absolute; {@code null} for none
 * @param stdout whether events are also printed as JSON lines
 * @param checkpointKeyEnv the environment variable holding the HMAC key (base64, at least 16
 *     bytes) that signs the checkpoints of {@code file}; {@code null} for unsigned checkpoints
 * @param cachedReads how reads served from the cache are recorded
 * @param summaryInterval how often {@link HitAudit#SUMMARY} writes its counts
 * @param rollover when {@code file} rolls over ({@code rollover: {maxSize: 64MB, daily: true,
 *     zone: UTC}}); {@link AuditRollover#NEVER} by default
 * @param retention what happens to rolled-over files ({@code retention: 90d}, {@code archive:
 *     gzip|delete}); 90 days then gzip by default
 * @param postgres the raw {@code audit.postgres} mapping, bound by the PostgreSQL audit sink's
 *     module ({@code PostgresAuditConfig.bind}); {@code null} when absent
 */
public record AuditConfig(
        @Nullable Path file,
        boolean stdout,
        @Nullable String checkpointKeyEnv,
        HitAudit cachedReads,
        Duration summaryInterval,
        AuditRollover rollover,
        AuditRetention retention,
        @Nullable Map<String, Object> postgres) {

    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public AuditConfig {
        if (file == null && !stdout && postgres == null) {
            throw new IllegalArgumentException("audit needs a file, stdout, postgres, or several");
        }
        if (file != null && !file.isAbsolute()) {
            throw new IllegalArgumentException("audit file must be an absolute path (relative paths are resolved when loading)");
        }
        if (checkpointKeyEnv != null) {
            if (!ENV_NAME.matcher(checkpointKeyEnv).matches()) {
                throw new IllegalArgumentException("checkpointKeyEnv '" + checkpointKeyEnv + "' is not an environment variable name");
            }
            if (file == null) {
                throw new IllegalArgumentException("checkpointKeyEnv needs an audit file to sign");
            }
        }
        Objects.requireNonNull(cachedReads, "cachedReads");
        Objects.requireNonNull(summaryInterval, "summaryInterval");
        if (summaryInterval.isNegative() || summaryInterval.isZero()) {
            throw new IllegalArgumentException("summaryInterval must be positive");
        }
        Objects.requireNonNull(rollover, "rollover");
        Objects.requireNonNull(retention, "retention");
        postgres = postgres == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(postgres));
    }

    /** Without rollover or PostgreSQL, with the default retention. */
    public AuditConfig(@Nullable Path file, boolean stdout, @Nullable String checkpointKeyEnv, HitAudit cachedReads,
            Duration summaryInterval) {
        this(file, stdout, checkpointKeyEnv, cachedReads, summaryInterval, AuditRollover.NEVER, AuditRetention.DEFAULT, null);
    }

    /** A file and/or stdout with the default cached-read recording (summaries every minute). */
    public AuditConfig(@Nullable Path file, boolean stdout, @Nullable String checkpointKeyEnv) {
        this(file, stdout, checkpointKeyEnv, HitAudit.SUMMARY, AuditOptions.DEFAULT_SUMMARY_INTERVAL);
    }
}
