package dev.rotor.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code cache:} section of {@code rotor.yaml}: values read through {@link dev.rotor.Rotor}
 * are kept in memory for {@code ttl}.
 */
public record CacheConfig(Duration ttl) {

    public CacheConfig {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("cache ttl must be positive");
        }
    }
}
