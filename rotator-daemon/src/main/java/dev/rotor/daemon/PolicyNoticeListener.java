package dev.rotor.daemon;

/**
 * Receives {@link PolicyNotice}s (the hook alerting plugs into). Called on the thread that ran the
 * rotation or the overdue check; keep it short. A listener that throws is logged and skipped.
 */
@FunctionalInterface
public interface PolicyNoticeListener {

    void onNotice(PolicyNotice notice);
}
