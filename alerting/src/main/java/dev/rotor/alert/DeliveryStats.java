package dev.rotor.alert;

/**
 * Counts of one sink's deliveries since start.
 *
 * @param delivered alerts the sink accepted
 * @param retried failed tries that were tried again
 * @param failed alerts given up on after the last try (or at once, for a rejected request)
 * @param dropped alerts not queued because the sink's queue was full
 * @param queued alerts waiting now, the one being sent included
 */
public record DeliveryStats(String sink, long delivered, long retried, long failed, long dropped, int queued) {}
