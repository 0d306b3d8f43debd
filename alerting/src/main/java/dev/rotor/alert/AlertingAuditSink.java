package dev.rotor.alert;

import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An audit sink that reports its delegate's failures to {@link Alerting} (resolved on the next
 * successful write) and shows every recorded event to the unusual-access rules. Failures are
 * rethrown unchanged: the caller's fail-closed behaviour stays as it was.
 *
 * <p>Thread-safe if the delegate is.
 */
final class AlertingAuditSink implements AuditSink {

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
        alerting.onAudit(event);
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
        events.forEach(alerting::onAudit);
    }

    private void failed(RuntimeException e) {
        failing.set(true);
        alerting.auditSinkFailed(delegate.describe(), e.getClass().getSimpleName());
    }

    private void succeeded() {
        if (failing.compareAndSet(true, false)) {
            alerting.auditSinkRecovered(delegate.describe());
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
