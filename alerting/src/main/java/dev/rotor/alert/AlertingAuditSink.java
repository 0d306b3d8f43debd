package dev.rotor.alert;

import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An audit sink that reports its delegate's failures to {@link Alerting} (resolved on the next
 * successful write) and shows every recorded event to the unusual-access rules. Failures are
 * rethrown unchanged: the caller's fail-closed behaviour stays as it was.
 *
 * <p>Thread-safe if the delegate is.
 */
final class AlertingAuditSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingAuditSink.class);

    private final AuditSink delegate;
    private final Alerting alerting;
    private final AtomicBoolean failing = new AtomicBoolean();

    AlertingAuditSink(AuditSink delegate, Alerting alerting) {
        this.delegate = delegate;
        this.alerting = alerting;
    }

    @Override
    public void append(AuditEvent event) {
        try {
            delegate.append(event);
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
        succeeded();
        observe(event);
    }

    @Override
    public void appendAll(List<AuditEvent> events) {
        try {
            delegate.appendAll(events);
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
        succeeded();
        events.forEach(this::observe);
    }

    /** The event is recorded: nothing the rules do may make the caller think otherwise. */
    private void observe(AuditEvent event) {
        try {
            alerting.onAudit(event);
        } catch (RuntimeException e) {
            LOG.warn("unusual-access rules failed on an audit event of {}: {}", event.requestId(), e.getClass().getName());
        }
    }

    private void failed(RuntimeException e) {
        failing.set(true);
        try {
            alerting.auditSinkFailed(delegate.describe(), e.getClass().getSimpleName());
        } catch (RuntimeException again) {
            e.addSuppressed(again);
        }
    }

    private void succeeded() {
        if (failing.compareAndSet(true, false)) {
            try {
                alerting.auditSinkRecovered(delegate.describe());
            } catch (RuntimeException e) {
                LOG.warn("could not resolve the failure alert of audit sink {}: {}", delegate.describe(), e.getClass().getName());
            }
        }
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
