package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamedStrategyTest {

    enum Sample implements NamedStrategy {
        SINGLE_USER,
        ALTERNATING_USERS
    }

    @Test
    void theNameIsTheConstantInLowerCaseWithHyphens() {
        assertThat(Sample.SINGLE_USER.id()).isEqualTo("single-user");
        assertThat(Sample.ALTERNATING_USERS.id()).isEqualTo("alternating-users");
        assertThat(NamedStrategy.known(Sample.class)).isEqualTo("single-user, alternating-users");
    }

    @Test
    void findMatchesTheNameExactly() {
        assertThat(NamedStrategy.find(Sample.class, "alternating-users", "Alternating_Users")).isEqualTo(Sample.ALTERNATING_USERS);
        assertThatThrownBy(() -> NamedStrategy.find(Sample.class, "Single-User", "Single-User"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownNameIsQuotedAsWrittenWithTheKnownOnes() {
        assertThatThrownBy(() -> NamedStrategy.find(Sample.class, "dual", " Dual"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown strategy ' Dual' (known: single-user, alternating-users)");
    }
}
