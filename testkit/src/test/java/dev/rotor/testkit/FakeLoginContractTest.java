package dev.rotor.testkit;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import org.junit.jupiter.api.Nested;

/** The contract passes for a correct rotator in each strategy. */
class FakeLoginContractTest {

    abstract static class Base extends RotatorContract {
        final FakeLogin target = new FakeLogin();

        abstract FakeLogin.Strategy strategy();

        FakeLogin.Flaw flaw() {
            return FakeLogin.Flaw.NONE;
        }

        @Override
        protected Rotator createRotator(SecretStore store) {
            return target.rotator(strategy(), flaw());
        }

        @Override
        protected SecretValue initialCredential() {
            String user = strategy() == FakeLogin.Strategy.ALTERNATING ? "app_a" : "app";
            String pw = FakeLogin.newPassword();
            target.set(user, pw);
            return FakeLogin.credential(user, pw);
        }

        @Override
        protected boolean works(SecretValue credential) {
            return target.works(credential);
        }

        @Override
        protected PreviousBehaviour previousBehaviour() {
            return switch (strategy()) {
                case SINGLE_USER -> PreviousBehaviour.INVALID;
                case ALTERNATING -> PreviousBehaviour.VALID_UNTIL_NEXT_ROTATION;
                case OVERLAP -> PreviousBehaviour.VALID_UNTIL_RETIRE;
            };
        }
    }

    @Nested
    class SingleUser extends Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.SINGLE_USER;
        }
    }

    @Nested
    class Alternating extends Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.ALTERNATING;
        }
    }

    @Nested
    class Overlap extends Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.OVERLAP;
        }
    }
}
