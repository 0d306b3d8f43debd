package dev.rotor;

import java.time.Duration;
import java.util.Objects;

/** The result of a live health check of a store. {@code detail} never holds a secret. */
public record Health(boolean up, String detail, Duration latency) {

    public Health {
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(latency, "latency");
    }

    public static Health up(Duration latency) {
        return new Health(true, "ok", latency);
    }

    public static Health down(String detail, Duration latency) {
        return new Health(false, detail, latency);
    }
}
