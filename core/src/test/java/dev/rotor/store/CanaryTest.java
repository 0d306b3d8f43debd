package dev.rotor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditEvent;
import dev.rotor.internal.store.MutableClock;
import dev.rotor.internal.store.RecordingSink;
import dev.rotor.internal.store.RecordingSleeper;
import dev.rotor.internal.store.ScriptedStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Pushes a recognisable value through every layer and every failure path, then looks for it everywhere text goes. */
class CanaryTest {

    private static final String CANARY = "CANARY-9f3c1e-never-print-me";

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final RecordingSink sink = new RecordingSink();
    private final MetricRegistry registry = new MetricRegistry();
    private final List<String> texts = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger rotorLogger = (Logger) LoggerFactory.getLogger("dev.rotor");
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        previousLevel = rotorLogger.getLevel();
        rotorLogger.setLevel(Level.TRACE);
        logs.start();
        rotorLogger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        rotorLogger.detachAppender(logs);
        rotorLogger.setLevel(previousLevel);
    }

    private void failure(Runnable action) {
        Throwable t = catchThrowable(action::run);
        assertThat(t).isNotNull();
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        texts.add(trace.toString());
    }

    @Test
    void theValueAppearsInNoTextAnyLayerProduces() {
        CacheOptions cacheOptions = CacheOptions.defaults().withTtl(Duration.ofSeconds(10));
        DecoratedSecretStore store = SecretStoreBuilder.on(backend)
                .clock(clock)
                .cache(cacheOptions)
                .audit(sink, AuditOptions.defaults())
                .metrics(registry)
                .retry(RetryOptions.defaults())
                .sleeper(new RecordingSleeper())
                .build();
        SecretValue value = SecretValue.ofFields(Map.of("username", "app", "password", CANARY));

        VersionInfo written = store.put("app/db", value, PutOptions.current());
        Secret read = store.get("app/db");
        Secret hit = store.get("app/db");
        assertThat(hit.value().field("password").asUtf8()).isEqualTo(CANARY);
        texts.add(store.toString());
        texts.add(read.toString());
        texts.add(hit.value().toString());
        texts.add(written.toString());
        texts.add(String.valueOf(store.cacheStats()));
        texts.add(cacheOptions.toString());

        // Stale serve, then the backoff error, then the backend's own error.
        backend.failAlways("get", () -> new ProviderUnavailableException("backend unavailable", true, null));
        clock.advance(Duration.ofSeconds(10));
        assertThat(store.get("app/db")).isSameAs(hit);
        clock.advance(Duration.ofHours(2));
        failure(() -> store.get("app/db"));
        failure(() -> store.get("app/db"));
        backend.heal("get");

        // Not found, field errors, audit failure on a read, and audit failure on a write.
        failure(() -> store.get("app/missing"));
        failure(() -> hit.value().field("nope"));
        store.invalidateAll();
        sink.failing(true);
        failure(() -> store.get("app/db"));
        failure(() -> store.put("app/db", SecretValue.ofUtf8(CANARY), PutOptions.current()));
        failure(store::flushAuditSummaries);
        sink.failing(false);
        store.get("app/db");
        store.get("app/db");
        store.flushAuditSummaries();

        // Per-hit audit failing closed.
        RecordingSink eachSink = new RecordingSink();
        DecoratedSecretStore each = SecretStoreBuilder.on(new ScriptedStore("other", clock)).clock(clock)
                .cache(CacheOptions.defaults()).audit(eachSink, AuditOptions.defaults().withHitAudit(HitAudit.EACH)).build();
        each.put("app/db", SecretValue.ofUtf8(CANARY), PutOptions.current());
        each.get("app/db");
        eachSink.failing(true);
        failure(() -> each.get("app/db"));
        eachSink.failing(false);
        each.close();

        store.close();

        for (AuditEvent e : sink.events()) {
            texts.add(e.toString());
        }
        for (AuditEvent e : eachSink.events()) {
            texts.add(e.toString());
        }
        texts.addAll(registry.getNames());
        for (ILoggingEvent e : logs.list) {
            texts.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                texts.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }

        assertThat(sink.events()).isNotEmpty();
        assertThat(logs.list).isNotEmpty();
        assertThat(texts).hasSizeGreaterThan(20).noneMatch(t -> t.contains(CANARY)).noneMatch(t -> t.contains("password\":"));
    }

    @Test
    void theExceptionsThrownNameRefsAndVersionsOnly() {
        DecoratedSecretStore store = SecretStoreBuilder.on(backend).clock(clock).cache(CacheOptions.defaults()).build();
        store.put("app/db", SecretValue.ofUtf8(CANARY), PutOptions.current());

        Throwable notFound = catchThrowable(() -> store.get("app/db", Selector.version("42")));

        assertThat(notFound).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("app/db").hasMessageContaining("42")
                .hasMessageNotContaining(CANARY);
    }
}
