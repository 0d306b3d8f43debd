package dev.rotor.rotator.sql;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The part of a SQL rotator's settings builder that every such rotator has: the length of
 * generated passwords and the connect and query timeouts. Each rotator's builder adds the rest,
 * its defaults and its checks. Not thread-safe.
 *
 * @param <B> the rotator's builder, which the setters return
 */
public abstract class SqlSettingsBuilder<B extends SqlSettingsBuilder<B>> {

    protected @Nullable Integer passwordLength;
    protected @Nullable Duration connectTimeout;
    protected @Nullable Duration queryTimeout;

    /** A builder starting from these values ({@code null}: not set). */
    protected SqlSettingsBuilder(@Nullable Integer passwordLength, @Nullable Duration connectTimeout,
            @Nullable Duration queryTimeout) {
        this.passwordLength = passwordLength;
        this.connectTimeout = connectTimeout;
        this.queryTimeout = queryTimeout;
    }

    public B passwordLength(int passwordLength) {
        this.passwordLength = passwordLength;
        return self();
    }

    public B connectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return self();
    }

    public B queryTimeout(Duration queryTimeout) {
        this.queryTimeout = queryTimeout;
        return self();
    }

    @SuppressWarnings("unchecked") // B is this builder's own class
    private B self() {
        return (B) this;
    }
}
