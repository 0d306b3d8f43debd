package dev.rotor.alert;

/**
 * Delivers one alert to one destination (a webhook, a Slack channel, PagerDuty, a mailbox).
 * {@link #send} is called by Rotor's delivery thread for that sink, never by the thread that
 * raised the alert, and one alert at a time: a sink need not be thread-safe for {@code send}.
 * Retries are the caller's: a sink tries once.
 */
public interface AlertSink extends AutoCloseable {

    /**
     * Delivers the alert once.
     *
     * @throws AlertDeliveryException if it was not accepted; its message names the sink and the
     *     error (an HTTP status, an exception type), never a key or a token
     */
    void send(Alert alert);

    /** A short name for logs and metrics, without credentials: {@code webhook:https://hooks.example/rotor}. */
    String describe();

    @Override
    default void close() {}
}
