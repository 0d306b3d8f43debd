package dev.rotor.hikari;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;

/**
 * The counters of one pool, named {@code rotor.hikari.<pool>.<what>}. Names carry the pool
 * name only, never a user name, a password or anything else read from the secret.
 */
final class PoolMetrics {

    static final String PREFIX = "rotor.hikari.";

    final Counter switches;
    final Counter loginRefusals;
    final Counter rereads;
    final Counter rereadsSuppressed;
    final Counter recoveries;
    final Counter refusedLocally;
    final Counter staleConnections;
    final Counter switchFailures;

    PoolMetrics(MetricRegistry registry, String pool) {
        String p = PREFIX + pool + ".";
        switches = registry.counter(p + "credential-switches");
        loginRefusals = registry.counter(p + "login-refusals");
        rereads = registry.counter(p + "secret-rereads");
        rereadsSuppressed = registry.counter(p + "secret-rereads-suppressed");
        recoveries = registry.counter(p + "login-recoveries");
        refusedLocally = registry.counter(p + "logins-held-back");
        staleConnections = registry.counter(p + "stale-connections-evicted");
        switchFailures = registry.counter(p + "credential-switch-failures");
    }
}
