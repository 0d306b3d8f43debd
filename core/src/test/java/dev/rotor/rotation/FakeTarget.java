package dev.rotor.rotation;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in for a login target (a fake: the engine's own logic is what these tests exercise;
 * rotators are tested against real peers in their modules). It accepts a set of passwords for
 * one user. Single-user strategy: APPLY replaces the accepted password. Overlap strategy: APPLY
 * adds it and RETIRE removes the previous one.
 */
final class FakeTarget {

    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<Step> failAt = EnumSet.noneOf(Step.class);
    volatile boolean rollbackFails;
    volatile boolean overlap;

    boolean works(SecretValue credential) {
        return accepted.contains(password(credential));
    }

    static String password(SecretValue v) {
        return v.field("password").asUtf8();
    }

    static SecretValue credential(String password) {
        return SecretValue.ofFields(Map.of("username", "app", "password", password));
    }

    Rotator rotator() {
        return new Rotator() {
            private final SecureRandom random = new SecureRandom();

            @Override
            public String type() {
                return "fake-password";
            }

            private void maybeFail(Step step) {
                if (failAt.contains(step)) {
                    throw new RotationException(step, "the fake target refuses " + step);
                }
            }

            @Override
            public void preflight(RotationContext context, @Nullable Secret current) {
                calls.add("preflight");
                maybeFail(Step.PREPARE);
            }

            @Override
            public SecretValue create(RotationContext context, @Nullable Secret current) {
                calls.add("create");
                maybeFail(Step.CREATE);
                byte[] b = new byte[12];
                random.nextBytes(b);
                return credential("pw-" + HexFormat.of().formatHex(b));
            }

            @Override
            public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
                calls.add("apply");
                if (!overlap) {
                    accepted.clear();
                }
                accepted.add(password(pending.value()));
                maybeFail(Step.APPLY);
            }

            @Override
            public void verify(RotationContext context, Secret pending) {
                calls.add("verify");
                maybeFail(Step.VERIFY);
                if (!works(pending.value())) {
                    throw new RotationException(Step.VERIFY, "the new password does not log in");
                }
            }

            @Override
            public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
                calls.add("rollback");
                if (rollbackFails) {
                    throw new RotationException(Step.APPLY, "the fake target refuses the rollback");
                }
                accepted.remove(password(pending.value()));
                if (current != null) {
                    accepted.add(password(current.value()));
                }
            }

            @Override
            public void retire(RotationContext context, Secret previous, Secret current) {
                calls.add("retire");
                maybeFail(Step.RETIRE);
                accepted.remove(password(previous.value()));
            }
        };
    }
}
