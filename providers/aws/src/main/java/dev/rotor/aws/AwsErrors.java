package dev.rotor.aws;

import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.RotorException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;

/**
 * Maps AWS SDK exceptions to Rotor's exceptions.
 *
 * <ul>
 *   <li>authentication and authorization failures (HTTP 401/403, {@code AccessDeniedException},
 *       {@code UnrecognizedClientException}, bad signatures, expired tokens), KMS decryption
 *       failures and missing credentials: {@link AccessDeniedException};
 *   <li>throttling (HTTP 429, {@code ThrottlingException} and its kin), HTTP 5xx, timeouts and
 *       I/O errors: a retryable {@link ProviderUnavailableException} carrying the
 *       {@code Retry-After} hint if AWS sent one;
 *   <li>anything else (invalid parameters or requests, quotas such as
 *       {@code LimitExceededException}): a plain {@link RotorException} quoting AWS's error code.
 * </ul>
 *
 * Not-found and conflicts are decided by the store itself, which knows what it asked for.
 *
 * <p>AWS error messages never quote a secret value, but to be sure of it, the message of an
 * error answering a request that carried a value is not quoted, and the SDK exception is then
 * replaced as the cause by a {@link RedactedAwsException} that keeps only the error code,
 * status and request id. Stateless.
 */
final class AwsErrors {

    private static final Set<String> DENIED = Set.of(
            "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException",
            "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
            "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "AuthFailure", "NotAuthorized",
            "KMSAccessDeniedException", "KMSInvalidStateException", "KMSDisabledException");
    private static final Set<String> THROTTLED = Set.of(
            "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
            "RequestThrottled", "RequestThrottledException", "SlowDown", "ProvisionedThroughputExceededException",
            "TransactionInProgressException", "PriorRequestNotComplete", "EC2ThrottledException", "BandwidthLimitExceeded");
    private static final Set<String> UNAVAILABLE = Set.of(
            "InternalServiceError", "InternalServiceErrorException", "InternalFailure", "InternalError",
            "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException");

    private final String store;
    private final String endpoint;
    private final Clock clock;

    AwsErrors(String store, String endpoint, Clock clock) {
        this.store = store;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    /** The AWS error code of a service error, or null for client-side errors. */
    static @Nullable String errorCode(SdkException e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            return s.awsErrorDetails().errorCode();
        }
        return null;
    }

    /**
     * The Rotor exception for a failed call.
     *
     * @param operation what was being done, naming the secret, e.g. {@code "put of secret 'app/db'"}
     * @param requestHadValue whether the failed request carried a secret value
     */
    RotorException map(SdkException e, String operation, boolean requestHadValue) {
        if (e instanceof AwsServiceException s) {
            return mapService(s, operation, requestHadValue);
        }
        if (e instanceof SdkClientException c) {
            String message = String.valueOf(c.getMessage());
            if (message.startsWith("Unable to load credentials")) {
                return new AccessDeniedException("store '" + store + "': no AWS credentials for the " + operation
                        + ": " + message + " (set stores." + store + ".credentials)", c);
            }
            if (message.startsWith("Unable to load region")) {
                return new RotorException("store '" + store + "': no AWS region for the " + operation
                        + " (set stores." + store + ".region)", c);
            }
            String kind = c instanceof ApiCallAttemptTimeoutException || c instanceof ApiCallTimeoutException ? "timed out"
                    : "could not reach AWS Secrets Manager at " + endpoint;
            return new ProviderUnavailableException("store '" + store + "': the " + operation + " " + kind
                    + " (" + c.getClass().getSimpleName() + ": " + firstLine(message) + ")", true, null, requestHadValue ? redacted(c) : c);
        }
        return new RotorException("store '" + store + "': the " + operation + " failed: " + e.getClass().getSimpleName(),
                requestHadValue ? redacted(e) : e);
    }

    private RotorException mapService(AwsServiceException s, String operation, boolean requestHadValue) {
        String code = code(s);
        int status = s.statusCode();
        Throwable cause = requestHadValue ? redacted(s) : s;
        String said = requestHadValue ? "" : awsMessage(s);
        String what = code + ", HTTP " + status + requestId(s);
        if (s instanceof DecryptionFailureException) {
            return new AccessDeniedException("store '" + store + "': AWS could not decrypt the secret for the " + operation
                    + " with its KMS key (" + what + "): check the caller's kms:Decrypt permission on the key" + said, cause);
        }
        if (DENIED.contains(code) || status == 401 || status == 403) {
            return new AccessDeniedException("store '" + store + "': AWS refused the " + operation + " (" + what
                    + "): check the credentials and the IAM policy" + said, cause);
        }
        if (THROTTLED.contains(code) || status == 429 || s.isThrottlingException()) {
            return new ProviderUnavailableException("store '" + store + "': AWS throttled the " + operation + " (" + what + ")",
                    true, retryAfter(s).orElse(null), cause);
        }
        if (s instanceof InternalServiceErrorException || UNAVAILABLE.contains(code) || status >= 500) {
            return new ProviderUnavailableException("store '" + store + "': AWS Secrets Manager failed the " + operation
                    + " (" + what + ")", true, retryAfter(s).orElse(null), cause);
        }
        return new RotorException("store '" + store + "': AWS rejected the " + operation + " (" + what + ")" + said, cause);
    }

    private static String code(AwsServiceException s) {
        AwsErrorDetails d = s.awsErrorDetails();
        String code = d == null ? null : d.errorCode();
        return code == null || code.isBlank() ? s.getClass().getSimpleName() : code;
    }

    private static String requestId(AwsServiceException s) {
        String id = s.requestId();
        return id == null || id.isBlank() ? "" : ", request id " + id;
    }

    private static String awsMessage(AwsServiceException s) {
        AwsErrorDetails d = s.awsErrorDetails();
        String m = d == null ? null : d.errorMessage();
        return m == null || m.isBlank() ? "" : ": " + firstLine(m);
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        t = nl < 0 ? t : t.substring(0, nl).strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    /** The Retry-After header: delay-seconds or an HTTP date. */
    Optional<Duration> retryAfter(AwsServiceException s) {
        AwsErrorDetails d = s.awsErrorDetails();
        if (d == null || d.sdkHttpResponse() == null) {
            return Optional.empty();
        }
        return d.sdkHttpResponse().firstMatchingHeader("Retry-After").flatMap(v -> parseRetryAfter(v, clock.instant()));
    }

    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            // not delay-seconds: try an HTTP date
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static RedactedAwsException redacted(SdkException e) {
        String code = errorCode(e);
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof AwsServiceException s) {
            sb.append(" (").append(code == null ? "no error code" : code).append(", HTTP ").append(s.statusCode()).append(requestId(s)).append(')');
        }
        sb.append("; the message is withheld because the request carried a secret value");
        RedactedAwsException r = new RedactedAwsException(sb.toString());
        r.setStackTrace(e.getStackTrace());
        return r;
    }

    /** Stands in for an SDK exception whose message is not passed on. */
    static final class RedactedAwsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RedactedAwsException(String message) {
            super(message);
        }
    }
}
