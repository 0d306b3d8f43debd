package dev.rotor.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.RotorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps Azure SDK failures to Rotor's exceptions. Key Vault's error bodies name secrets and
 * permissions, never values, so the SDK exception stays attached as the cause. Stateless.
 */
final class AzureErrors {

    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Za-z0-9_.-]{1,64})\"");

    private AzureErrors() {}

    /** The HTTP status of an SDK failure, or -1 if the failure carries no response. */
    static int status(Throwable e) {
        if (e instanceof HttpResponseException h && h.getResponse() != null) {
            return h.getResponse().getStatusCode();
        }
        return -1;
    }

    /**
     * The Rotor exception for a failure that the caller did not handle itself.
     *
     * @param store the store name
     * @param doing what was being done, e.g. {@code "reading secret 'db/password'"}
     */
    static RotorException map(String store, String doing, RuntimeException e) {
        if (e instanceof RotorException r) {
            return r;
        }
        String where = "store '" + store + "' (Azure Key Vault), " + doing;
        int status = status(e);
        if (e instanceof ClientAuthenticationException && status < 0) {
            return new AccessDeniedException(where + ": could not get an access token; check the credential settings"
                    + " (tenantId, clientId, clientSecretEnv) and that the identity exists", e);
        }
        if (isCredentialUnavailable(e)) {
            return new AccessDeniedException(where + ": no Azure credential is available in this environment"
                    + " (DefaultAzureCredential tried environment variables, workload and managed identity, Azure CLI);"
                    + " configure one or use credential: client-secret", e);
        }
        if (status > 0) {
            String code = errorCode(e);
            String detail = " (HTTP " + status + (code == null ? "" : ", " + code) + ")";
            if (status == 401) {
                return new AccessDeniedException(where + ": the vault rejected the credentials" + detail, e);
            }
            if (status == 403) {
                if ("SecretDisabled".equals(code) || String.valueOf(e.getMessage()).contains("disabled")) {
                    return new AccessDeniedException(where + ": the version is disabled in Azure" + detail, e);
                }
                return new AccessDeniedException(where + ": the identity lacks permission on the vault" + detail, e);
            }
            if (status == 429) {
                return new ProviderUnavailableException(where + ": throttled by Azure Key Vault" + detail, true, retryAfter(e), e);
            }
            if (status == 408 || status >= 500) {
                return new ProviderUnavailableException(where + ": Azure Key Vault is unavailable" + detail, true, retryAfter(e), e);
            }
            return new RotorException(where + ": Azure Key Vault refused the request" + detail, e);
        }
        if (isTransport(e)) {
            return new ProviderUnavailableException(where + ": cannot reach Azure Key Vault: " + e.getClass().getSimpleName(), true, e);
        }
        return new RotorException(where + ": unexpected failure " + e.getClass().getName(), e);
    }

    private static boolean isCredentialUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("com.azure.identity.CredentialUnavailableException")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransport(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
                    || t instanceof HttpTimeoutException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The Key Vault error code ({@code {"error":{"code":..}}}), read from the SDK's message. */
    static @Nullable String errorCode(Throwable e) {
        String message = e.getMessage();
        if (message == null) {
            return null;
        }
        Matcher m = ERROR_CODE.matcher(message);
        String last = null;
        // the inner error's code, if there is one, is the more specific one
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    static @Nullable Duration retryAfter(Throwable e) {
        if (!(e instanceof HttpResponseException h) || h.getResponse() == null) {
            return null;
        }
        HttpResponse response = h.getResponse();
        String value = response.getHeaderValue("Retry-After");
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
