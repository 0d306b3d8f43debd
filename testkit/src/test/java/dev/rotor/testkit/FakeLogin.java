package dev.rotor.testkit;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in login target (users with accepted passwords) and a rotator for it in each
 * strategy. It is a fake on purpose: these tests check the {@link RotatorContract} itself, with
 * rotators that are right and rotators that are wrong in one known way; real rotators run the
 * contract against real servers in their own modules.
 */
final class FakeLogin {

    enum Strategy { SINGLE_USER, ALTERNATING, OVERLAP }

    /** One way to get a rotator wrong. */
    enum Flaw { NONE, ROLLBACK_DOES_NOTHING, APPLY_NOT_IDEMPOTENT, RETIRE_DOES_NOTHING, LOGS_THE_PASSWORD }

    private static final Logger LOG = LoggerFactory.getLogger(FakeLogin.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    final Map<String, Set<String>> accepted = new ConcurrentHashMap<>();

    static SecretValue credential(String user, String password) {
        return SecretValue.ofFields(Map.of("username", user, "password", password));
    }

    static String user(SecretValue v) {
        return v.field("username").asUtf8();
    }

    static String password(SecretValue v) {
        return v.field("password").asUtf8();
    }

    static String newPassword() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "pw-" + HexFormat.of().formatHex(b);
    }

    boolean works(SecretValue credential) {
        return accepted.getOrDefault(user(credential), Set.of()).contains(password(credential));
    }

    void set(String user, String... passwords) {
        Set<String> s = ConcurrentHashMap.newKeySet();
        s.addAll(Set.of(passwords));
        accepted.put(user, s);
    }

    Rotator rotator(Strategy strategy, Flaw flaw) {
        return new Rotator() {
            @Override
            public String type() {
                return "fake-" + strategy.name().toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public void preflight(RotationContext context, @Nullable Secret current) {
                if (current == null) {
                    throw new RotationException(Step.PREPARE, "the fake needs an initial credential");
                }
            }

            @Override
            public SecretValue create(RotationContext context, @Nullable Secret current) {
                String user = user(current.value());
                if (strategy == Strategy.ALTERNATING) {
                    user = user.endsWith("_a") ? user.substring(0, user.length() - 2) + "_b" : user.substring(0, user.length() - 2) + "_a";
                }
                return credential(user, newPassword());
            }

            @Override
            public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
                String user = user(pending.value());
                String pw = password(pending.value());
                if (flaw == Flaw.LOGS_THE_PASSWORD) {
                    LOG.info("setting the password of {} to {}", user, pw);
                }
                if (flaw == Flaw.APPLY_NOT_IDEMPOTENT && works(pending.value())) {
                    throw new RotationException(Step.APPLY, "password already set");
                }
                switch (strategy) {
                    case SINGLE_USER, ALTERNATING -> set(user, pw);
                    case OVERLAP -> accepted.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(pw);
                }
            }

            @Override
            public void verify(RotationContext context, Secret pending) {
                if (!works(pending.value())) {
                    throw new RotationException(Step.VERIFY, "the new password does not log in");
                }
            }

            @Override
            public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
                if (flaw == Flaw.ROLLBACK_DOES_NOTHING) {
                    return;
                }
                String user = user(pending.value());
                switch (strategy) {
                    case SINGLE_USER -> set(user, password(current.value()));
                    case ALTERNATING -> set(user);
                    case OVERLAP -> accepted.getOrDefault(user, Set.of()).remove(password(pending.value()));
                }
            }

            @Override
            public void retire(RotationContext context, Secret previous, Secret current) {
                if (flaw == Flaw.RETIRE_DOES_NOTHING) {
                    return;
                }
                String user = user(previous.value());
                switch (strategy) {
                    case SINGLE_USER -> { } // the password changed in place: nothing is left to revoke
                    case ALTERNATING -> {
                        if (context.emergency()) {
                            set(user); // the idle user may not wait for the next rotation
                        }
                    }
                    case OVERLAP -> accepted.getOrDefault(user, Set.of()).remove(password(previous.value()));
                }
            }
        };
    }
}
