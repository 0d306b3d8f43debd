package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdminPoolsTest {

    @Test
    void aPoolHoldsNoIdleConnectionAndDoesNotConnectWhenBuilt() {
        HikariConfig c = AdminPools.config("rotor-test", 3, Duration.ofSeconds(10));

        assertThat(c.getPoolName()).isEqualTo("rotor-test");
        assertThat(c.getMaximumPoolSize()).isEqualTo(3);
        assertThat(c.getMinimumIdle()).isZero();
        assertThat(c.getInitializationFailTimeout()).isNegative();
        assertThat(c.getConnectionTimeout()).isEqualTo(10_000);
        assertThat(c.getValidationTimeout()).isEqualTo(5_000);
        assertThat(c.getIdleTimeout()).isEqualTo(30_000);
        assertThat(c.isAutoCommit()).isTrue();
    }

    @Test
    void validationNeverWaitsLongerThanAConnection() {
        assertThat(AdminPools.config("rotor-test", 1, Duration.ofMillis(300)).getValidationTimeout()).isEqualTo(300);
    }
}
