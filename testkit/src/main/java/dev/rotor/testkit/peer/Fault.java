package dev.rotor.testkit.peer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link FaultProxy} does to a request. Each fault except {@link Pass} applies with its
 * {@code probability}; a request it does not apply to is passed through unchanged.
 */
public sealed interface Fault permits Fault.Pass, Fault.Respond, Fault.Reset, Fault.Slow {

    /** The probability in [0, 1] that a request meets this fault. */
    double probability();

    /** Every request goes to the upstream server unchanged. */
    record Pass() implements Fault {
        @Override
        public double probability() {
            return 0;
        }
    }

    /**
     * Answers the request itself, without passing it on, with this status, headers and body.
     * The upstream server never sees the request.
     */
    record Respond(double probability, int status, Map<String, String> headers, String body) implements Fault {
        public Respond {
            checkProbability(probability);
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status must be an HTTP status code (was " + status + ")");
            }
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /** Reads the request, then resets the connection (TCP RST) without any answer. */
    record Reset(double probability) implements Fault {
        public Reset {
            checkProbability(probability);
        }
    }

    /** Passes the request on, but holds the answer back for {@code delay} before sending it. */
    record Slow(double probability, Duration delay) implements Fault {
        public Slow {
            checkProbability(probability);
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("delay must be zero or positive (was " + delay + ")");
            }
        }
    }

    static Fault pass() {
        return new Pass();
    }

    /**
     * An AWS JSON-protocol {@code ThrottlingException} (HTTP 429), as AWS services send it, with
     * a {@code Retry-After} header if {@code retryAfter} is not null.
     */
    static Fault awsThrottling(double probability, Duration retryAfter) {
        Map<String, String> headers = awsJsonHeaders("ThrottlingException");
        if (retryAfter != null) {
            headers.put("Retry-After", Long.toString(Math.max(0, retryAfter.toSeconds())));
        }
        return new Respond(probability, 429, headers, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    }

    /** An AWS JSON-protocol {@code ThrottlingException} (HTTP 429) without a Retry-After header. */
    static Fault awsThrottling(double probability) {
        return awsThrottling(probability, null);
    }

    /** An AWS JSON-protocol {@code InternalServiceError} (HTTP 500). */
    static Fault awsServerError(double probability) {
        return new Respond(probability, 500, awsJsonHeaders("InternalServiceError"),
                "{\"__type\":\"InternalServiceError\",\"message\":\"An error occurred on the server side.\"}");
    }

    static Fault reset(double probability) {
        return new Reset(probability);
    }

    static Fault slow(double probability, Duration delay) {
        return new Slow(probability, delay);
    }

    private static Map<String, String> awsJsonHeaders(String errorType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-amz-json-1.1");
        headers.put("x-amzn-ErrorType", errorType);
        headers.put("x-amzn-RequestId", "fault-proxy");
        return headers;
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1] (was " + p + ")");
        }
    }
}
