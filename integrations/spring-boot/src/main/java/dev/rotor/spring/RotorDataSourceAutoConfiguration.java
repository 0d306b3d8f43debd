package dev.rotor.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.Rotor;
import dev.rotor.hikari.RotatingDataSource;
import dev.rotor.watch.SecretWatcher;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Boot's DataSource, following rotation: when {@code spring.datasource.username} and
 * {@code spring.datasource.password} were resolved from two fields of one secret
 * ({@code secret://main/db/app#username}, {@code #password}), the application's
 * {@code DataSource} is a {@link RotatingDataSource} over that secret instead of Boot's plain
 * {@link HikariDataSource}. It is still a {@code HikariDataSource}, configured from the usual
 * {@code spring.datasource.url}, {@code driver-class-name}, {@code name} and
 * {@code spring.datasource.hikari.*}, so Boot's pool metadata, metrics and JMX see it as one.
 * With the {@link SecretWatcher} bean it switches to a new CURRENT version as soon as the watcher
 * sees it, and on a refused login it re-reads the secret and retries once either way.
 *
 * <p>Otherwise (no references, references to two secrets, a pinned version) Boot's own
 * DataSource is made with the values as resolved at startup; the condition report says why. An
 * application's own {@code DataSource} or {@code JdbcConnectionDetails} bean (a service
 * connection) takes precedence.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class, after = RotorAutoConfiguration.class)
@ConditionalOnClass({HikariDataSource.class, RotatingDataSource.class, DataSourceProperties.class})
@ConditionalOnBean(Rotor.class)
@Conditional(RotorDataSourceAutoConfiguration.OnCredentialsFromOneSecret.class)
@EnableConfigurationProperties(DataSourceProperties.class)
public class RotorDataSourceAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RotorDataSourceAutoConfiguration.class);

    // A service connection (JdbcConnectionDetails bean, e.g. from Testcontainers) brings its own credentials.
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({DataSource.class, JdbcConnectionDetails.class})
    RotatingDataSource dataSource(DataSourceProperties properties, Rotor rotor, ObjectProvider<SecretWatcher> watcher,
            Environment environment) {
        DataSourceCredentialRefs refs = switch (DataSourceCredentialRefs.of(environment)) {
            case DataSourceCredentialRefs.Found f -> f.refs();
            case DataSourceCredentialRefs.NotFound n -> throw new IllegalStateException(n.reason());
        };
        HikariConfig pool = new HikariConfig();
        Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(pool));
        pool.setJdbcUrl(properties.determineUrl());
        String driver = properties.determineDriverClassName();
        if (driver != null) {
            pool.setDriverClassName(driver);
        }
        if (pool.getPoolName() == null && StringUtils.hasText(properties.getName())) {
            pool.setPoolName(properties.getName());
        }
        RotatingDataSource.Builder builder = RotatingDataSource.builder()
                .credentials(refs.secret(), rotor)
                .usernameField(refs.usernameField())
                .passwordField(refs.passwordField())
                .pool(pool);
        SecretWatcher w = watcher.getIfAvailable();
        if (w != null) {
            builder.watcher(w);
        }
        LOG.info("DataSource credentials follow {} (fields {} and {}){}", refs.secret(), refs.usernameField(), refs.passwordField(),
                w == null ? " on refused logins only: no SecretWatcher" : "");
        return builder.build();
    }

    /** Matches when both credentials came from fields of one secret following CURRENT. */
    static final class OnCredentialsFromOneSecret extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return switch (DataSourceCredentialRefs.of(context.getEnvironment())) {
                case DataSourceCredentialRefs.Found f -> ConditionOutcome.match("DataSource credentials come from " + f.refs().secret());
                case DataSourceCredentialRefs.NotFound n -> ConditionOutcome.noMatch(n.reason());
            };
        }
    }
}
