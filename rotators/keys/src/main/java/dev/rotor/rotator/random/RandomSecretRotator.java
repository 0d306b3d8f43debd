package dev.rotor.rotator.random;

import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Rotates a random secret: an API key, a webhook HMAC secret, a session signing secret. The value
 * is drawn with {@link SecureRandom}, uniformly from the configured alphabet, and stored as one
 * JSON field (plus its SHA-256 if asked).
 *
 * <p>Without a verifier path the secret has no target: APPLY, VERIFY (beyond checking the value's
 * form), ROLLBACK and RETIRE do nothing, and consumers see the change through the store
 * (CURRENT, and PREVIOUS until RETIRE removes the stage). With a verifier path, the target is the
 * published list of accepted hashes ({@link VerifierHashes}): APPLY accepts CURRENT and PENDING,
 * ROLLBACK and RETIRE leave only CURRENT, so PREVIOUS stays valid until RETIRE
 * ({@code PreviousBehaviour.VALID_UNTIL_RETIRE}).
 *
 * <p>Thread-safe.
 */
public final class RandomSecretRotator implements Rotator {

    public static final String TYPE = "random-secret";

    private final RandomSecretSettings settings;
    private final @Nullable SecretStore verifierStore;
    private final SecureRandom random = new SecureRandom();

    /** A rotator without a verifier list. */
    public RandomSecretRotator(RandomSecretSettings settings) {
        this(settings, null);
    }

    /**
     * @param verifierStore where the verifier hashes are published; required if the settings
     *     name a verifier path
     */
    public RandomSecretRotator(RandomSecretSettings settings, @Nullable SecretStore verifierStore) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.verifierPath() != null && verifierStore == null) {
            throw new IllegalArgumentException("settings name a verifier path but no store to publish it in was given");
        }
        this.verifierStore = verifierStore;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        if (current != null) {
            valueOf(Step.PREPARE, current, context);
        }
        if (settings.verifierPath() != null) {
            try {
                VerifierHashes.read(Objects.requireNonNull(verifierStore), settings.verifierPath());
            } catch (RotorException e) {
                throw new RotationException(Step.PREPARE, "cannot read the verifier hashes at " + verifierRef() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        String alphabet = settings.alphabet();
        StringBuilder sb = new StringBuilder(settings.prefix().length() + settings.length()).append(settings.prefix());
        for (int i = 0; i < settings.length(); i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(settings.field(), sb.toString());
        if (settings.includeHash()) {
            fields.put("sha256", VerifierHashes.sha256(sb));
        }
        SecretValue v = SecretValue.ofFields(fields);
        sb.setLength(0);
        return v;
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        List<String> accept = new ArrayList<>();
        if (current != null) {
            accept.add(VerifierHashes.sha256(valueOf(Step.APPLY, current, context)));
        }
        accept.add(VerifierHashes.sha256(valueOf(Step.APPLY, pending, context)));
        publish(Step.APPLY, accept);
    }

    @Override
    public void verify(RotationContext context, Secret pending) {
        String value = valueOf(Step.VERIFY, pending, context);
        String body = value.substring(Math.min(settings.prefix().length(), value.length()));
        if (!value.startsWith(settings.prefix()) || body.length() != settings.length()
                || !body.chars().allMatch(c -> settings.alphabet().indexOf(c) >= 0)) {
            throw new RotationException(Step.VERIFY, "the new value of " + ref(context) + " does not have the configured form");
        }
        if (settings.includeHash()) {
            String stored = pending.value().field("sha256").asUtf8();
            if (!stored.equals(VerifierHashes.sha256(value))) {
                throw new RotationException(Step.VERIFY, "the stored sha256 of " + ref(context) + " does not match its value");
            }
        }
        if (settings.verifierPath() != null && !VerifierHashes.accepts(Objects.requireNonNull(verifierStore), settings.verifierPath(), value)) {
            throw new RotationException(Step.VERIFY, "the verifier hashes at " + verifierRef() + " do not accept the new value");
        }
    }

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        publish(Step.APPLY, current == null ? List.of() : List.of(VerifierHashes.sha256(valueOf(Step.APPLY, current, context))));
    }

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        publish(Step.RETIRE, List.of(VerifierHashes.sha256(valueOf(Step.RETIRE, current, context))));
    }

    private void publish(Step step, List<String> hashes) {
        if (settings.verifierPath() == null) {
            return;
        }
        try {
            VerifierHashes.publish(Objects.requireNonNull(verifierStore), settings.verifierPath(), hashes);
        } catch (RotorException e) {
            throw new RotationException(step, "cannot publish the verifier hashes at " + verifierRef() + ": " + e.getMessage(), e);
        }
    }

    private String valueOf(Step step, Secret secret, RotationContext context) {
        try {
            return secret.value().field(settings.field()).asUtf8();
        } catch (SecretFieldException | IllegalStateException e) {
            throw new RotationException(step, "version '" + secret.version().id() + "' of " + ref(context) + " has no text field '"
                    + settings.field() + "'");
        }
    }

    private String verifierRef() {
        return verifierStore == null ? "-" : SecretRef.of(verifierStore.name(), Objects.requireNonNull(settings.verifierPath())).toString();
    }

    private static String ref(RotationContext context) {
        return SecretRef.of(context.store(), context.path()).toString();
    }

    @Override
    public String toString() {
        return "RandomSecretRotator[length=" + settings.length() + ", alphabet=" + settings.alphabet().length() + " chars, field="
                + settings.field() + (settings.verifierPath() == null ? "" : ", verifier=" + verifierRef()) + "]";
    }
}
