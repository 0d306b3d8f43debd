package dev.rotor.alert;

/** How urgent an alert is. Sinks map it to their own levels (PagerDuty: info, warning, critical). */
public enum Severity {
    INFO,
    WARNING,
    CRITICAL
}
