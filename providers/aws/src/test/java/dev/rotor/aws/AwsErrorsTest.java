package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.RotorException;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.LimitExceededException;

class AwsErrorsTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private final AwsErrors errors = new AwsErrors("aws", "https://secretsmanager.us-east-1.amazonaws.com", Clock.fixed(NOW, ZoneOffset.UTC));

    private static AwsServiceException service(AwsServiceException.Builder b, String code, int status, String message, String... headers) {
        SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
        for (int i = 0; i < headers.length; i += 2) {
            http.putHeader(headers[i], headers[i + 1]);
        }
        return b.awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("SecretsManager")
                        .sdkHttpResponse(http.build()).build())
                .statusCode(status).requestId("req-1").message(message).build();
    }

    @Test
    void throttlingIsRetryableAndCarriesRetryAfter() {
        RotorException e = errors.map(service(AwsServiceException.builder(), "ThrottlingException", 429, "Rate exceeded", "Retry-After", "3"),
                "get of secret 'app/db' (stage=current)", false);

        assertThat(e).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("store 'aws'")
                .hasMessageContaining("AWS throttled the get of secret 'app/db'")
                .hasMessageContaining("ThrottlingException, HTTP 429, request id req-1");
        ProviderUnavailableException p = (ProviderUnavailableException) e;
        assertThat(p.isRetryable()).isTrue();
        assertThat(p.retryAfter()).contains(Duration.ofSeconds(3));
    }

    @Test
    void a429WithAnUnknownCodeIsThrottlingToo() {
        RotorException e = errors.map(service(AwsServiceException.builder(), "SomethingNew", 429, "slow down"), "list", false);

        assertThat(e).isInstanceOf(ProviderUnavailableException.class);
        assertThat(((ProviderUnavailableException) e).retryAfter()).isEmpty();
    }

    @Test
    void serverErrorsAreRetryable() {
        RotorException internal = errors.map(service(InternalServiceErrorException.builder(), "InternalServiceError", 500, "oops"), "put", true);
        RotorException unavailable = errors.map(service(AwsServiceException.builder(), "ServiceUnavailable", 503, "busy"), "get", false);

        assertThat(internal).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("AWS Secrets Manager failed the put");
        assertThat(((ProviderUnavailableException) internal).isRetryable()).isTrue();
        assertThat(((ProviderUnavailableException) unavailable).isRetryable()).isTrue();
    }

    @Test
    void authenticationAndAuthorizationFailuresAreAccessDenied() {
        for (String code : new String[] {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                "ExpiredTokenException", "InvalidClientTokenId"}) {
            RotorException e = errors.map(service(AwsServiceException.builder(), code, 400, "no"), "get of secret 'a'", false);
            assertThat(e).as(code).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("check the credentials and the IAM policy");
        }
        RotorException forbidden = errors.map(service(AwsServiceException.builder(), "403", 403, "<xml/>"), "list", false);
        assertThat(forbidden).isInstanceOf(AccessDeniedException.class);
    }

    @Test
    void aKmsDecryptionFailureIsAccessDeniedNamingTheKey() {
        RotorException e = errors.map(service(DecryptionFailureException.builder(), "DecryptionFailure", 400, "cannot decrypt"),
                "get of secret 'a'", false);

        assertThat(e).isInstanceOf(AccessDeniedException.class).hasMessageContaining("KMS key").hasMessageContaining("kms:Decrypt");
    }

    @Test
    void otherRejectionsAreNotRetryableAndQuoteAwsWhenNoValueWasSent() {
        RotorException e = errors.map(service(InvalidParameterException.builder(), "InvalidParameterException", 400,
                "You can't specify both SecretString and SecretBinary"), "promote of version 'x' of secret 'a'", false);
        RotorException quota = errors.map(service(LimitExceededException.builder(), "LimitExceededException", 400,
                "too many versions"), "put", false);

        assertThat(e).isExactlyInstanceOf(RotorException.class)
                .hasMessageContaining("AWS rejected the promote of version 'x' of secret 'a' (InvalidParameterException, HTTP 400")
                .hasMessageContaining("You can't specify both");
        assertThat(quota).isExactlyInstanceOf(RotorException.class).hasMessageContaining("LimitExceededException");
    }

    @Test
    void whenTheRequestCarriedAValueNeitherMessageNorCauseQuotesAws() {
        Canary canary = Canary.create();
        AwsServiceException sdk = service(InvalidParameterException.builder(), "InvalidParameterException", 400,
                "Value '" + canary.text() + "' at 'secretString' failed to satisfy constraint");

        RotorException e = errors.map(sdk, "put of secret 'app/db'", true);

        assertThat(e).isExactlyInstanceOf(RotorException.class).hasMessageContaining("InvalidParameterException, HTTP 400");
        assertThat(e.getCause()).isInstanceOf(AwsErrors.RedactedAwsException.class)
                .hasMessageContaining("InvalidParameterException")
                .hasMessageContaining("withheld");
        LeakChecker.assertNoCanaryIn("mapped error", stackTrace(e), canary);
    }

    @Test
    void ioErrorsAndTimeoutsAreRetryableAndNameTheEndpoint() {
        RotorException io = errors.map(SdkClientException.builder().message("Unable to execute HTTP request: Connection reset")
                .cause(new SocketException("Connection reset")).build(), "get of secret 'a'", false);
        RotorException timeout = errors.map(ApiCallAttemptTimeoutException.builder().message("took too long").build(), "get of secret 'a'", false);

        assertThat(io).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("could not reach AWS Secrets Manager at https://secretsmanager.us-east-1.amazonaws.com")
                .hasMessageContaining("Connection reset");
        assertThat(((ProviderUnavailableException) io).isRetryable()).isTrue();
        assertThat(timeout).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("get of secret 'a' timed out");
    }

    @Test
    void missingCredentialsAreAccessDeniedNamingTheSetting() {
        RotorException e = errors.map(SdkClientException.builder()
                .message("Unable to load credentials from any of the providers in the chain").build(), "get of secret 'a'", false);

        assertThat(e).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("no AWS credentials")
                .hasMessageContaining("stores.aws.credentials");
    }

    @Test
    void retryAfterIsDelaySecondsOrAnHttpDate() {
        assertThat(AwsErrors.parseRetryAfter("7", NOW)).contains(Duration.ofSeconds(7));
        assertThat(AwsErrors.parseRetryAfter("Sun, 01 Jun 2025 12:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
        assertThat(AwsErrors.parseRetryAfter("Sun, 01 Jun 2025 11:00:00 GMT", NOW)).contains(Duration.ZERO);
        assertThat(AwsErrors.parseRetryAfter("-1", NOW)).isEmpty();
        assertThat(AwsErrors.parseRetryAfter("soon", NOW)).isEmpty();
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }
}
