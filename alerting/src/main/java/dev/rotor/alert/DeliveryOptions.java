package dev.rotor.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * How alerts are delivered to each sink.
 *
 * @param queueSize alerts waiting per sink; when full, new alerts for that sink are dropped and counted
 * @param maxAttempts tries per alert and sink, the first included
 * @param initialBackoff the wait after the first failed try; it doubles after each further one
 * @param maxBackoff the longest wait between tries
 * @param timeout the connect and request timeout of one try
 */
public record DeliveryOptions(int queueSize, int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {

    public DeliveryOptions {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(timeout, "timeout");
        if (queueSize < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("queueSize and maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("backoffs must be 0 or more with maxBackoff >= initialBackoff, and timeout positive");
        }
    }

    /** 1000 queued per sink, 5 tries, 2 s doubling to 1 min, 10 s timeout. */
    public static DeliveryOptions defaults() {
        return new DeliveryOptions(1000, 5, Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(10));
    }
}
